#!/usr/bin/env bash
# Terminal tests: drive the real interactive dtlsh in a tmux pane (120x40) as a person would —
# keys typed one line at a time, Tab, Up, Ctrl-C, Ctrl-D — and check what the screen shows.
#
#     Tests/TerminalTests/run.sh .build/debug/dtlsh
#
# Prints `ok - NAME` or `not ok - NAME` (with the reason and the pane) per test, then one closing
# line `N passed, N failed`; exits 1 if any test failed, 2 on a usage error.
# Needs tmux and bash's /dev/udp. Every wait is bounded; the whole run takes well under a minute.
set -u

if [ $# -lt 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 PATH-TO-DTLSH" >&2
    exit 2
fi
DTLSH="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# A UTF-8 locale for the panes and for this script's own string lengths.
export LANG=C.UTF-8
unset LC_ALL LC_CTYPE

ROOT="$(mktemp -d "${TMPDIR:-/tmp}/dtlsh-terminal.XXXXXX")"
export HOME="$ROOT/home"
mkdir -p "$HOME"

# shellcheck source=../LineEditorTests/tmux-drive.sh
. "$HERE/../LineEditorTests/tmux-drive.sh"
# tmux leaves its socket file behind after kill-server: remove this run's.
trap 'td_cleanup; rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$TD_SOCKET"; rm -rf "$ROOT"' EXIT
trap 'exit 130' INT TERM

COLS=120
ROWS=40
# A prompt line, as capture-pane shows it (trailing blanks trimmed): `dtlsh> …`, `dtlsh(auto)> …`.
PROMPT_RE='^dtlsh(\(auto\))?>( |$)'
EMPTY_PROMPT_RE='^dtlsh(\(auto\))?>$'

# One session keeps the private tmux server alive between tests, so killing a test's session never
# races with starting the next one.
td_start keeper 20 5 sleep 3600 || { echo "cannot start tmux" >&2; exit 2; }

# ---------------------------------------------------------------------------------------------------
# Helpers. A check that fails sets REASON and returns 1; a test returns 1 on its first failed check.

S=""        # the current test's tmux session
REASON=""   # why the current test failed
OUT=""      # what the last `cmd` printed (the lines between its prompt and the next)

fail() {
    REASON="$*"
    return 1
}

# poll SECONDS COMMAND… — until COMMAND succeeds, every 0.1 s; one last try at the end.
poll() {
    local n i
    n=$(awk -v s="$1" 'BEGIN { n = int(s / 0.1); print (n < 1 ? 1 : n) }')
    shift
    for ((i = 0; i < n; i++)); do
        "$@" && return 0
        sleep 0.1
    done
    "$@"
}

# screen — the session's whole scrollback and screen, rows joined, trailing empty rows dropped.
screen() {
    td_capture "$S" -J -S - | sed 's/ *$//' | awk '{ line[NR] = $0; if ($0 != "") last = NR } END { for (i = 1; i <= last; i++) print line[i] }'
}

prompt_count() {
    screen | grep -cE "$PROMPT_RE"
}

# at_idle_prompt N — at least N prompts so far and the last row is an empty prompt.
at_idle_prompt() {
    local text
    text="$(screen)"
    [ "$(printf '%s\n' "$text" | grep -cE "$PROMPT_RE")" -ge "$1" ] &&
        printf '%s\n' "$text" | tail -n 1 | grep -qE "$EMPTY_PROMPT_RE"
}

# start NAME [COMMAND…] — a new session running dtlsh (or COMMAND) with the current HOME.
start() {
    S="$1"
    shift
    if [ $# -eq 0 ]; then set -- "$DTLSH"; fi
    td_start "$S" "$COLS" "$ROWS" "$@" || fail "tmux could not start $*" || return 1
}

# start_dtlsh NAME — dtlsh, up to its first empty prompt.
start_dtlsh() {
    start "$1" || return 1
    poll 10 at_idle_prompt 1 || fail "no first prompt within 10 s"
}

# fresh_home NAME — a HOME of the test's own (an empty ~/.dtlsh_history).
fresh_home() {
    export HOME="$ROOT/home-$1"
    mkdir -p "$HOME"
}

# cmd TEXT [TIMEOUT] — type TEXT, press Enter, wait for the next empty prompt; OUT = the output.
cmd() {
    local n
    n=$(prompt_count)
    td_type "$S" "$1" || fail "tmux could not type '$1'" || return 1
    td_send "$S" Enter || return 1
    poll "${2:-10}" at_idle_prompt $((n + 1)) || fail "no prompt after '$1'" || return 1
    OUT="$(screen | awk -v n="$n" -v re="$PROMPT_RE" '$0 ~ re { c++; next } c == n { print }')"
}

# CX, CY, LINE — the cursor and the screen row it is on.
read_cursor() {
    local pos
    pos="$(td_cursor "$S")" || return 1
    CX="${pos% *}"
    CY="${pos#* }"
    LINE="$(td_capture "$S" | sed -n "$((CY + 1))p" | sed 's/ *$//')"
}

# cursor_line_is TEXT — the cursor's row reads TEXT (trailing blanks aside) and the cursor stands
# right after it (TEXT's length in characters: every character used here is one column wide).
cursor_line_is() {
    local want="$1"
    read_cursor || return 1
    [ "$LINE" = "$(printf '%s' "$want" | sed 's/ *$//')" ] && [ "$CX" = "${#want}" ]
}

# expect_line TEXT [TIMEOUT] — wait for cursor_line_is TEXT.
expect_line() {
    poll "${2:-5}" cursor_line_is "$1" && return 0
    read_cursor
    fail "expected the prompt line '$1' with the cursor at column ${#1}; saw '$LINE' with the cursor at column $CX"
}

# out_has ERE — some line of OUT matches.
out_has() {
    printf '%s\n' "$OUT" | grep -qE -- "$1"
}

# ---------------------------------------------------------------------------------------------------
# The tests.

test_tab_completes_command_name() {
    start_dtlsh tabcmd || return 1
    td_type "$S" 'con' && td_send "$S" Tab
    expect_line 'dtlsh> connect ' || return 1
}

test_tab_completes_peer_name() {
    start_dtlsh tabpeer || return 1
    cmd 'open srv accept' || return 1
    cmd 'open cli' || return 1
    cmd 'connect c1 cli srv' || return 1
    td_type "$S" 'step c' && td_send "$S" Tab
    expect_line 'dtlsh> step c1 ' || return 1
}

test_tab_tab_lists_candidates() {
    start_dtlsh tablist || return 1
    cmd 'open srv accept' || return 1
    cmd 'open cli' || return 1
    cmd 'connect c1 cli srv' || return 1
    td_type "$S" 'flush ' && td_send "$S" Tab
    expect_line 'dtlsh> flush ' || return 1
    td_send "$S" Tab
    poll 5 eval 'screen | grep -qE "^c1 +cli +srv$"' ||
        fail "Tab Tab after 'flush ' did not list 'c1  cli  srv'" || return 1
    # The list is printed above a redrawn prompt that still holds the line.
    expect_line 'dtlsh> flush ' || return 1
}

test_unambiguous_prefix_runs_command() {
    start_dtlsh prefix || return 1
    cmd 'open srv accept' || return 1
    cmd 'open cli' || return 1
    cmd 'connect c1 cli srv' || return 1
    cmd 'pee' || return 1
    out_has '^NAME +ROLE +SOCKET +ADDRESS' || fail "'pee' did not print the peers table header" || return 1
    out_has '^c1 +client +cli +127\.0\.0\.1:[0-9]+ ' || fail "'pee' did not list c1" || return 1
}

test_misspelling_suggests_command() {
    start_dtlsh misspell || return 1
    cmd 'stpe c1' || return 1
    [ "$(printf '%s\n' "$OUT" | wc -l)" -eq 1 ] || fail "'stpe c1' printed more than one line" || return 1
    out_has 'did you mean step' || fail "'stpe c1' did not say 'did you mean step'" || return 1
}

test_history_recalled_after_restart() {
    fresh_home history
    # A shell around dtlsh records its exit status: tmux's own #{pane_dead_status} is not reliable here
    # (tmux 3.3a sometimes leaves an exited pane's program unreaped, its status unknown).
    local status_file="$ROOT/history1.status"
    start history1 bash --norc --noprofile -c '"$1"; echo $? >"$2"' _ "$DTLSH" "$status_file" || return 1
    poll 10 at_idle_prompt 1 || fail "no first prompt within 10 s" || return 1
    cmd 'echo first entry' || return 1
    cmd 'echo second entry' || return 1
    td_type "$S" 'quit' && td_send "$S" Enter
    poll 10 test -s "$status_file" || fail "dtlsh did not exit after 'quit'" || return 1
    [ "$(cat "$status_file")" = 0 ] || fail "'quit' exited with status $(cat "$status_file")" || return 1
    [ -s "$HOME/.dtlsh_history" ] || fail "no ~/.dtlsh_history after 'quit'" || return 1
    td_kill "$S"

    start_dtlsh history2 || return 1
    td_send "$S" Up
    expect_line 'dtlsh> quit' || return 1
    td_send "$S" Up
    expect_line 'dtlsh> echo second entry' || return 1
    td_send "$S" Up
    expect_line 'dtlsh> echo first entry' || return 1
    td_send "$S" Down
    expect_line 'dtlsh> echo second entry' || return 1
    # The recalled line runs as typed.
    local n
    n=$(prompt_count)
    td_send "$S" Enter
    poll 5 at_idle_prompt $((n + 1)) || fail "no prompt after running the recalled line" || return 1
    screen | grep -qx 'second entry' || fail "the recalled 'echo second entry' did not print 'second entry'" || return 1
}

test_ctrl_c_abandons_half_typed_line() {
    start_dtlsh ctrlc || return 1
    cmd 'open srv accept' || return 1
    cmd 'open cli' || return 1
    cmd 'connect c1 cli srv' || return 1
    local n
    n=$(prompt_count)
    td_type "$S" 'send c1 never'
    expect_line 'dtlsh> send c1 never' || return 1
    td_send "$S" C-c
    poll 5 at_idle_prompt $((n + 1)) || fail "no fresh prompt after Ctrl-C" || return 1
    expect_line 'dtlsh> ' || return 1
    cmd 'peers' || return 1
    out_has '^c1 +client +cli ' || fail "'peers' after Ctrl-C did not print the peers table" || return 1
    # `never` appears only on the abandoned prompt line: nothing was executed with it.
    if screen | grep -F 'never' | grep -qvE '^dtlsh> send c1 never(\^C)?$'; then
        fail "output mentions 'never': the abandoned line was executed" || return 1
    fi
    cmd 'history' || return 1
    out_has 'peers' || fail "'history' does not list 'peers'" || return 1
    ! out_has 'never' || fail "'history' lists the abandoned line 'send c1 never'" || return 1
}

test_ctrl_c_on_empty_prompt_does_not_exit() {
    start_dtlsh ctrlcempty || return 1
    local n
    n=$(prompt_count)
    td_send "$S" C-c
    poll 5 at_idle_prompt $((n + 1)) || fail "no fresh prompt after Ctrl-C on an empty line" || return 1
    sleep 0.3
    local dead
    dead="$(_td_tmux display-message -p -t "=$S:" '#{pane_dead}')"
    [ "$dead" = 0 ] || fail "dtlsh exited on Ctrl-C at an empty prompt" || return 1
    cmd 'echo still here' || return 1
    [ "$OUT" = 'still here' ] || fail "'echo still here' after Ctrl-C printed '$OUT'" || return 1
}

test_event_does_not_corrupt_half_typed_line() {
    start_dtlsh event || return 1
    cmd 'auto on' || return 1
    cmd 'open srv accept' || return 1
    local port
    port="$(printf '%s\n' "$OUT" | sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' | head -n 1)"
    [ -n "$port" ] || fail "'open srv accept' printed no 'listening on 127.0.0.1:PORT'" || return 1
    td_type "$S" 'send c1 half'
    expect_line 'dtlsh(auto)> send c1 half' || return 1
    printf junk >"/dev/udp/127.0.0.1/$port" || fail "could not send a datagram to port $port" || return 1
    poll 5 eval 'screen | grep -q "dropped"' || fail "no 'dropped' line after a junk datagram" || return 1
    # The event is printed above the prompt, which is redrawn with the half line and the cursor at its end.
    expect_line 'dtlsh(auto)> send c1 half' || return 1
    local text dropped_row prompt_row
    text="$(screen)"
    dropped_row=$(printf '%s\n' "$text" | grep -n 'dropped' | tail -n 1 | cut -d: -f1)
    prompt_row=$(printf '%s\n' "$text" | grep -nxF 'dtlsh(auto)> send c1 half' | tail -n 1 | cut -d: -f1)
    [ -n "$prompt_row" ] && [ "$dropped_row" -lt "$prompt_row" ] ||
        fail "the 'dropped' line is not above the prompt line" || return 1
    [ "$(printf '%s\n' "$text" | grep -cF 'send c1 half')" -eq 1 ] ||
        fail "the half-typed line shows more than once on screen" || return 1
    cmd ' more' || return 1
    [ "$OUT" = "error: no peer named 'c1' (there are no peers yet)" ] || out_has "^error: no peer named 'c1'" ||
        fail "'send c1 half more' did not report \"no peer named 'c1'\"; printed: $OUT" || return 1
    cmd 'history' || return 1
    printf '%s\n' "$OUT" | grep -qE '^ *[0-9]+  send c1 half more$' ||
        fail "'history' does not show the executed line as exactly 'send c1 half more'" || return 1
}

# recv SOCKET — `recv`, retried (bounded) while the datagram is still on its way.
recv_until_something() {
    local i
    for ((i = 0; i < 20; i++)); do
        cmd "recv $1" || return 1
        out_has 'nothing waiting' || return 0
        sleep 0.05
    done
    fail "'recv $1' kept saying 'nothing waiting'"
}

test_psk_handshake_typed_by_hand() {
    start_dtlsh handshake || return 1
    cmd 'set psk client:00112233445566778899aabbccddeeff' || return 1
    cmd 'open srv 127.0.0.1:0 accept' || return 1
    cmd 'open cli' || return 1
    cmd 'connect c1 cli srv' || return 1
    cmd 'step c1' || return 1
    out_has 'wrote ClientHello' || fail "flight 1: 'step c1' wrote no ClientHello" || return 1
    cmd 'flush c1' || return 1
    recv_until_something srv || return 1
    out_has 'HelloVerifyRequest queued' || fail "'recv srv' queued no HelloVerifyRequest" || return 1
    cmd 'flush srv' || return 1
    recv_until_something cli || return 1
    cmd 'step c1' || return 1
    out_has 'read  HelloVerifyRequest' || fail "flight 3: 'step c1' did not read the HelloVerifyRequest" || return 1
    cmd 'flush c1' || return 1
    recv_until_something srv || return 1
    out_has 'srv\.1.*new server peer' || fail "'recv srv' with the cookie admitted no srv.1" || return 1
    cmd 'step srv.1' || return 1
    out_has 'wrote ServerHello' || fail "flight 4: 'step srv.1' wrote no ServerHello" || return 1
    cmd 'flush srv.1' || return 1
    recv_until_something cli || return 1
    cmd 'step c1' || return 1
    out_has 'wrote ClientKeyExchange, ChangeCipherSpec, Finished' || fail "flight 5 not written by 'step c1'" || return 1
    cmd 'flush c1' || return 1
    recv_until_something srv || return 1
    cmd 'step srv.1' || return 1
    out_has 'established' || fail "flight 6: 'step srv.1' did not establish srv.1" || return 1
    cmd 'flush srv.1' || return 1
    recv_until_something cli || return 1
    cmd 'step c1' || return 1
    cmd 'expect state c1 established' || return 1
    ! out_has 'expected|error' || fail "'expect state c1 established' printed: $OUT" || return 1
    cmd 'expect state srv.1 established' || return 1
    ! out_has 'expected|error' || fail "'expect state srv.1 established' printed: $OUT" || return 1
    cmd 'send c1 hello' || return 1
    cmd 'flush c1' || return 1
    recv_until_something srv || return 1
    cmd 'read srv.1' || return 1
    out_has '^hello$' || fail "SPEC's first handshake: 'read srv.1' right after 'recv srv' should print 'hello'; it printed: $OUT" || return 1
}

# first_handshake PAUSE — SPEC's first handshake typed into the current session, pausing PAUSE
# seconds after every command; FLIGHTS = what each `step` read, wrote and resent, in order.
first_handshake() {
    local pause="$1" line
    FLIGHTS=""
    typed() {
        cmd "$1" || return 1
        case "$1" in step*) FLIGHTS+="$(printf '%s\n' "$OUT" | grep -E '  (read|wrote|resent) ')"$'\n' ;; esac
        sleep "$pause"
    }
    for line in 'step c1' 'flush c1' 'recv srv' 'flush srv' 'recv cli' 'step c1' 'flush c1' 'recv srv' \
        'step srv.1' 'flush srv.1' 'recv cli' 'step c1' 'flush c1' 'recv srv' 'step srv.1' 'flush srv.1' \
        'recv cli' 'step c1'; do
        typed "$line" || return 1
        # A datagram on loopback is there within moments; a `recv` that came too early is typed again.
        case "$line" in recv*) out_has 'nothing waiting' && { recv_until_something "${line#recv }" || return 1; } ;; esac
    done
    cmd 'expect state c1 established' || return 1
    ! out_has 'expected|error' || fail "c1 not established: $OUT" || return 1
}

# Manual mode holds OpenSSL's clock (docs/time-in-manual-mode.md): pauses longer than the 200 ms
# timer change nothing, and `timers` shows an expired timer waiting for `tick`.
test_slow_typing_same_flights_as_fast() {
    local fast slow
    start_dtlsh fasttyped || return 1
    cmd 'set timer-initial 200' && cmd 'open srv accept' && cmd 'open cli' && cmd 'connect c1 cli srv' || return 1
    first_handshake 0 || return 1
    fast="$FLIGHTS"
    td_kill "$S"
    start_dtlsh slowtyped || return 1
    cmd 'set timer-initial 200' && cmd 'open srv accept' && cmd 'open cli' && cmd 'connect c1 cli srv' || return 1
    first_handshake 0.5 || return 1
    slow="$FLIGHTS"
    [ "$fast" = "$slow" ] || fail "typed slowly: $(printf '%s' "$slow" | tr '\n' '|') fast: $(printf '%s' "$fast" | tr '\n' '|')" || return 1
    printf '%s' "$fast" | grep -q 'wrote ClientKeyExchange, ChangeCipherSpec, Finished' || fail "no flight 5 in: $fast" || return 1
    ! printf '%s' "$slow" | grep -q 'resent' || fail "a slow typist saw resends: $slow" || return 1
    cmd 'stats' || return 1
    out_has ' 0 retransmissions' || fail "'stats' after a slow handshake: $OUT" || return 1
}

# Ctrl-C ends a long `handshake`, and lines typed while it ran are kept and run after it.
test_ctrl_c_interrupts_handshake_keeps_typed_lines() {
    start_dtlsh ctrlchandshake || return 1
    cmd 'open cli' || return 1
    cmd 'connect c1 cli 127.0.0.1:9' || return 1
    td_type "$S" 'handshake c1' && td_send "$S" Enter
    poll 5 eval 'screen | grep -q "ClientHello"' || fail "'handshake c1' sent no ClientHello" || return 1
    td_type "$S" 'echo typed during' && td_send "$S" Enter
    td_type "$S" 'echo typed too' && td_send "$S" Enter
    sleep 0.3
    td_send "$S" C-c
    poll 5 eval 'screen | grep -q "handshake interrupted"' || fail "Ctrl-C did not interrupt 'handshake c1'" || return 1
    poll 5 eval 'screen | grep -qx "typed during"' || fail "the first line typed during the handshake was lost" || return 1
    poll 5 eval 'screen | grep -qx "typed too"' || fail "the second line typed during the handshake was lost" || return 1
    poll 5 at_idle_prompt 1 || return 1
}

# Ctrl-C leaves the tour (and gives the settings back); `tick PEER` waiting for a long timer gives way too.
test_ctrl_c_leaves_tour_and_long_tick() {
    start_dtlsh ctrlctour || return 1
    cmd 'set timer-initial 15000' || return 1
    td_type "$S" 'tour' && td_send "$S" Enter
    poll 5 eval 'screen | grep -q "^tour 1/"' || fail "'tour' did not start" || return 1
    td_send "$S" Enter
    poll 5 eval 'screen | grep -q "\[2/"' || fail "Enter did not run the tour's first step" || return 1
    td_send "$S" C-c
    poll 5 eval 'screen | grep -q "tour stopped (Ctrl-C); your settings are back"' || fail "Ctrl-C did not leave the tour" || return 1
    poll 5 eval 'screen | tail -n 1 | grep -qE "$EMPTY_PROMPT_RE"' || fail "no dtlsh> prompt after leaving the tour" || return 1
    cmd 'open cli' && cmd 'connect c1 cli 127.0.0.1:9' && cmd 'step c1' || return 1
    td_type "$S" 'tick c1' && td_send "$S" Enter
    poll 5 eval 'screen | grep -q "waiting .* for the timer"' || fail "'tick c1' did not say it waits" || return 1
    td_send "$S" C-c
    poll 5 eval 'screen | grep -q "tick interrupted"' || fail "Ctrl-C did not interrupt 'tick c1'" || return 1
    cmd 'set' || return 1
    out_has '^timer-initial +15000 ms' || fail "the tour did not give back timer-initial 15000: $OUT" || return 1
}

test_ctrl_d_exits_zero_terminal_sane() {
    local before="$ROOT/stty-before" after="$ROOT/stty-after"
    # bash runs dtlsh, then shows its status and reads one line back through the same terminal.
    start ctrld bash --norc --noprofile -c '
        stty -a >"$1"
        "$3"
        echo "dtlsh exited with $?"
        stty -a >"$2"
        IFS= read -r line
        echo "read back: $line"
        sleep 30' _ "$before" "$after" "$DTLSH" || return 1
    poll 10 at_idle_prompt 1 || fail "no first prompt within 10 s" || return 1
    td_send "$S" C-d
    poll 5 eval 'screen | grep -q "^dtlsh exited with"' || fail "dtlsh did not exit on Ctrl-D at an empty prompt" || return 1
    screen | grep -qx 'dtlsh exited with 0' || fail "Ctrl-D: $(screen | grep '^dtlsh exited with')" || return 1
    poll 5 test -s "$after" || fail "no stty -a after dtlsh" || return 1
    cmp -s "$before" "$after" ||
        fail "terminal modes differ after dtlsh: $(diff "$before" "$after" | tr '\n' ' ')" || return 1
    # Echo and canonical input work: the typed text shows as typed, Enter ends the line.
    td_type "$S" 'typed after exit'
    poll 5 eval 'screen | grep -qx "typed after exit"' || fail "text typed after dtlsh exited is not echoed" || return 1
    td_send "$S" Enter
    poll 5 eval 'screen | grep -qx "read back: typed after exit"' || fail "Enter after dtlsh exited did not end the line" || return 1
}

test_utf8_echo() {
    start_dtlsh utf8 || return 1
    td_type "$S" 'echo héllo wörld'
    expect_line 'dtlsh> echo héllo wörld' || return 1
    local n
    n=$(prompt_count)
    td_send "$S" Enter
    poll 5 at_idle_prompt $((n + 1)) || fail "no prompt after 'echo héllo wörld'" || return 1
    OUT="$(screen | awk -v n="$n" -v re="$PROMPT_RE" '$0 ~ re { c++; next } c == n { print }')"
    [ "$OUT" = 'héllo wörld' ] || fail "'echo héllo wörld' printed '$OUT'" || return 1
}

test_piped_input_plain() {
    fresh_home piped
    local out="$ROOT/piped.out" err="$ROOT/piped.err" status
    printf 'open srv accept\nopen cli\nconnect c1 cli srv\nhandshake c1\nexpect state c1 established\n' |
        timeout 20 "$DTLSH" >"$out" 2>"$err"
    status=$?
    OUT="$(cat "$out" "$err")"
    [ "$status" = 0 ] || fail "piped dtlsh exited with status $status" || return 1
    ! grep -qE 'dtlsh(\(auto\))?>' "$out" "$err" || fail "piped output shows a prompt" || return 1
    ! grep -q $'\e' "$out" "$err" || fail "piped output contains an ESC byte" || return 1
    grep -q 'established' "$out" || fail "piped handshake printed no 'established'" || return 1
}

# ---------------------------------------------------------------------------------------------------

PASSED=0
FAILED=0

run_test() {
    local name="$1"
    S=""
    REASON=""
    OUT=""
    export HOME="$ROOT/home"
    if "test_$name"; then
        echo "ok - $name"
        PASSED=$((PASSED + 1))
    else
        echo "not ok - $name"
        echo "  # ${REASON:-failed}"
        if [ -n "$S" ]; then
            echo "  # the pane ($S), cursor $(td_cursor "$S" 2>/dev/null):"
            screen 2>/dev/null | tail -n 60 | sed 's/^/  | /'
        elif [ -n "$OUT" ]; then
            printf '%s\n' "$OUT" | sed 's/^/  | /'
        fi
        FAILED=$((FAILED + 1))
    fi
    [ -n "$S" ] && td_kill "$S"
}

run_test tab_completes_command_name
run_test tab_completes_peer_name
run_test tab_tab_lists_candidates
run_test unambiguous_prefix_runs_command
run_test misspelling_suggests_command
run_test history_recalled_after_restart
run_test ctrl_c_abandons_half_typed_line
run_test ctrl_c_on_empty_prompt_does_not_exit
run_test event_does_not_corrupt_half_typed_line
run_test psk_handshake_typed_by_hand
run_test slow_typing_same_flights_as_fast
run_test ctrl_c_interrupts_handshake_keeps_typed_lines
run_test ctrl_c_leaves_tour_and_long_tick
run_test ctrl_d_exits_zero_terminal_sane
run_test utf8_echo
run_test piped_input_plain

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
