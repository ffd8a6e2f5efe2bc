#!/usr/bin/env bash
# make valgrind: `dtlsh serve` under valgrind memcheck while a normal
# `dtlsh bench` drives it: DTLSH_VALGRIND_HANDSHAKES full handshakes (default
# 1000) closed with close_notify, clients that vanish (idle eviction), echoed
# messages and certificate handshakes; then SIGINT. Fails unless memcheck
# finds no errors and 0 bytes definitely (or possibly) lost, with the one-time
# allocations of valgrind.supp suppressed.
#
# usage: Tests/Valgrind/run.sh [DTLSH]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dtlsh=${1:-$root/.build/debug/dtlsh}
handshakes=${DTLSH_VALGRIND_HANDSHAKES:-1000}
psk=client:00112233445566778899aabbccddeeff
work=$(mktemp -d "${TMPDIR:-/tmp}/dtlsh-valgrind.XXXXXX")
vg=
cleanup() {
    if [ -n "$vg" ] && kill -0 "$vg" 2>/dev/null; then kill -KILL "$vg"; fi
    rm -rf "$work"
}
trap cleanup EXIT

start=$(date +%s)
valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,possible \
    --errors-for-leak-kinds=definite,possible --error-exitcode=97 --num-callers=40 \
    --suppressions="$root/valgrind.supp" --log-file="$work/memcheck.log" \
    "$dtlsh" serve --bind 127.0.0.1:0 --psk "$psk" --echo --idle 2 >"$work/serve.out" 2>&1 &
vg=$!
for _ in $(seq 1 600); do
    grep -q "serving DTLS on" "$work/serve.out" && break
    kill -0 "$vg" 2>/dev/null || break
    sleep 0.1
done
port=$(grep -o "serving DTLS on 127.0.0.1:[0-9]*" "$work/serve.out" | head -1 | sed 's/.*://')
[ -n "$port" ] || { echo "valgrind: serve did not start"; cat "$work/serve.out" "$work/memcheck.log"; exit 1; }

bench() { "$dtlsh" bench --target "127.0.0.1:$port" --psk "$psk" --deadline 600 "$@" | grep -E "^[a-z]|completed"; }
bench --mode handshake --count "$handshakes" --concurrency 16
bench --mode handshake --count 100 --concurrency 16 --vanish
bench --mode echo --peers 8 --messages 25 --size 200
bench --mode handshake --count 50 --concurrency 8 --credential cert
# The vanished clients' peers go at idle eviction (2 s; slower under valgrind).
sleep 4

kill -INT "$vg"
status=0
wait "$vg" || status=$?
vg=
log="$work/memcheck.log"
grep -E "definitely lost|indirectly lost|possibly lost|still reachable|ERROR SUMMARY" "$log" | sed 's/^==[0-9]*== */valgrind: /'
tail -1 "$work/serve.out" | sed 's/^/valgrind: serve /'
echo "valgrind: $(( $(date +%s) - start )) s"
definite=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$log" | tr -d ,)
if [ "$status" -ne 0 ] || [ "${definite:-x}" != 0 ]; then
    echo "valgrind: FAILED (serve exit $status, definitely lost ${definite:-?} bytes); the report:"
    sed 's/^==[0-9]*== //' "$log" | grep -v "^$" | head -200
    exit 1
fi
echo "valgrind: OK — 0 bytes definitely lost, no memcheck errors"
