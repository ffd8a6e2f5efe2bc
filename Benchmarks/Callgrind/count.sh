#!/usr/bin/env bash
# User-space instructions a server spends per PSK handshake or per 1 KB echo,
# counted by callgrind: the comparison README's Performance section reads its
# ≥ 0.95× target from (timed figures on a shared VM move by ±10 %).
#
# usage: Benchmarks/Callgrind/count.sh handshake|echo SMALL LARGE -- SERVER ARGS...
#   The server runs under valgrind --tool=callgrind with ARGS plus
#   --bind 127.0.0.1:0; `dtlsh bench --target` drives SMALL and then LARGE
#   handshakes (or rounds of echoes by 32 peers), each against a fresh server;
#   the difference of the two totals over LARGE-SMALL (times 32 for echoes) is
#   one unit of work without start-up. Needs valgrind and a release build.
#   PSK dtlsh-demo (the bench's default key), e.g.:
#     count.sh handshake 200 2200 -- .build/release/dtlsh serve --psk dtlsh-demo:64746c73682d64656d6f2d6b65792121 --echo
#     count.sh handshake 200 2200 -- .build-reference/dtls-reference-server --psk dtlsh-demo:64746c73682d64656d6f2d6b65792121 --echo
set -euo pipefail
mode=$1 small=$2 large=$3
[ "$4" = "--" ] || { echo "usage: $0 handshake|echo SMALL LARGE -- SERVER ARGS..." >&2; exit 2; }
shift 4
root=$(cd "$(dirname "$0")/../.." && pwd)
dtlsh=${DTLSH:-$root/.build/release/dtlsh}
work=$(mktemp -d "${TMPDIR:-/tmp}/dtlsh-callgrind.XXXXXX")
trap 'rm -rf "$work"' EXIT
server=$1
shift
# valgrind 3.19 cannot read the DWARF 5 of Swift's release builds: symbols are enough.
if readelf -S "$server" 2>/dev/null | grep -q '\.debug_info'; then
    objcopy --strip-debug "$server" "$work/server"
    server=$work/server
fi

count() {
    local n=$1 log=$work/serve.$1.log out=$work/callgrind.$1
    shift
    valgrind --tool=callgrind --callgrind-out-file="$out" "$server" "$@" --bind 127.0.0.1:0 >"$log" 2>/dev/null &
    local pid=$!
    for _ in $(seq 1 600); do grep -q '^serving DTLS on' "$log" && break; sleep 0.1; done
    local port
    port=$(grep -o '^serving DTLS on 127.0.0.1:[0-9]*' "$log" | sed 's/.*://')
    [ -n "$port" ] || { echo "the server did not start" >&2; kill "$pid"; exit 1; }
    local load=(--count "$n")
    [ "$mode" = echo ] && load=(--peers 32 --messages "$n")
    "$dtlsh" bench --target "127.0.0.1:$port" --psk dtlsh-demo:64746c73682d64656d6f2d6b65792121 \
        --mode "$mode" --concurrency 4 --deadline 600 "${load[@]}" >/dev/null
    kill -INT "$pid"
    wait "$pid" || true
    echo "$(tail -1 "$log")" >&2
    grep '^summary:' "$out" | awk '{print $2}'
}
a=$(count "$small" "$@")
b=$(count "$large" "$@")
units=$((large - small))
[ "$mode" = echo ] && units=$((units * 32))
echo "$mode: $(( (b - a) / units )) user-space instructions each ($small and $large: $a, $b)"
