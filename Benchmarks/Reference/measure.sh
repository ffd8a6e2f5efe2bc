#!/usr/bin/env bash
# Loads a DTLS server with `dtlsh bench --target` and reports what bench
# cannot see from outside: the server's CPU seconds (utime+stime from
# /proc/PID/stat) per scenario, and its peak RSS per held peer.
#
#   Benchmarks/Reference/measure.sh SERVER [ARGS...]
#
# SERVER ARGS is started three times, with `--bind 127.0.0.1:0 --echo` and
# `--psk IDENTITY:HEXKEY` appended (twice) or not (once, certificates), and must
# print "serving DTLS on HOST:PORT..." on stdout. Examples:
#   Benchmarks/Reference/measure.sh .build-reference/dtls-reference-server
#   Benchmarks/Reference/measure.sh .build/release/dtlsh serve --max-peers 100000 --idle 600
# Environment: DTLSH (the bench client, default .build/release/dtlsh), COUNT,
# MESSAGES, HOLD, CERT_COUNT. Run one at a time: the client needs a core too.
set -euo pipefail
[ $# -ge 1 ] || { sed -n 2,15p "$0" >&2; exit 2; }
DTLSH=${DTLSH:-.build/release/dtlsh}
COUNT=${COUNT:-20000}
MESSAGES=${MESSAGES:-2000}
HOLD=${HOLD:-5000}
CERT_COUNT=${CERT_COUNT:-3000}
PSK=bench:000102030405060708090a0b0c0d0e0f
TICK=$(getconf CLK_TCK)
TMP=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill -INT $PID 2>/dev/null; rm -rf "$TMP"' EXIT

start() {  # start EXTRA_ARGS...: sets PID and PORT
    : > "$TMP/out"
    # stdout into a pipe that is drained, as bench does with its own child
    "${SERVER[@]}" --bind 127.0.0.1:0 --echo "$@" > >(cat >> "$TMP/out") 2>/dev/null &
    PID=$!
    for _ in $(seq 100); do grep -q '^serving DTLS on ' "$TMP/out" && break; sleep 0.05; done
    local address
    address=$(awk '/^serving DTLS on / { print $4; exit }' "$TMP/out")
    address=${address%:}
    PORT=${address##*:}
    [ -n "$PORT" ] || { echo "server did not start" >&2; exit 1; }
}
stop() { kill -INT $PID; wait $PID || true; PID=; }
ticks() { local s; s=$(cat /proc/$PID/stat); s=${s##*) }; set -- $s; echo $(( ${12} + ${13} )); }
kb() { awk -v k="$1:" '$1 == k { print $2 }' /proc/$PID/status; }
bench() {  # bench ARGS...: prints "completed failed"
    "$DTLSH" bench --target 127.0.0.1:$PORT "$@" > "$TMP/bench"
    awk '/completed/ { print $2, $4; exit }' "$TMP/bench"
}
per_cpu() {  # per_cpu LABEL UNIT ARGS...
    local label=$1 unit=$2; shift 2
    local t0 t1 r
    t0=$(ticks); r=$(bench "$@"); t1=$(ticks)
    set -- $r
    awk -v l="$label" -v u="$unit" -v n=$1 -v f=$2 -v t=$((t1 - t0)) -v hz=$TICK 'BEGIN {
        printf "%-22s %7d %s, %d failed, %.2f CPU-s: %.0f %s per server-CPU-second\n", l, n, u, f, t / hz, (t ? n * hz / t : 0), u }'
}

SERVER=("$@")
echo "server: ${SERVER[*]}"

start --psk $PSK
rss0=$(kb VmRSS)
set -- $(bench --mode hold --hold "$HOLD" --psk $PSK)
hwm=$(kb VmHWM)
awk -v n=$1 -v f=$2 -v a=$rss0 -v b=$hwm 'BEGIN {
    printf "%-22s %7d peers, %d failed, RSS %d KB idle, peak %d KB: %.1f KB per peer\n", "hold (PSK)", n, f, a, b, (b - a) / n }'
stop

start --psk $PSK
per_cpu "handshake (PSK)" handshakes --mode handshake --count "$COUNT" --psk $PSK
per_cpu "echo 1000 B (PSK)" echoes --mode echo --messages "$MESSAGES" --psk $PSK
stop

start
per_cpu "handshake (cert)" handshakes --mode handshake --credential cert --count "$CERT_COUNT"
stop
