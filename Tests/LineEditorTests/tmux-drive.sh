#!/usr/bin/env bash
# Drive an interactive program in a detached tmux pane: type into it, wait for output, read the screen.
#
# Source it from a test script:
#     . Tests/LineEditorTests/tmux-drive.sh
#     td_start t1 100 30 .build/debug/dtlsh
#     td_wait_for t1 'dtls> '
#     td_type t1 'con'; td_send t1 Tab
#     td_wait_for t1 'dtls> connect '
#     td_send t1 C-d; td_wait_exit t1
#     td_kill t1
# or run one function directly: Tests/LineEditorTests/tmux-drive.sh td_capture t1
#
# Everything runs on a private tmux server (socket $TD_SOCKET), never the user's own; td_cleanup ends it.
# Every wait is bounded twice: a number of polls (timeout / $TD_POLL_INTERVAL) and each tmux call by
# `timeout $TD_CMD_TIMEOUT`. A wait that gives up prints the pane to stderr and returns 1.

# Sourced: one server per test script. Run directly: a fixed name, so separate invocations meet.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    TD_SOCKET="${TD_SOCKET:-dtlsh-test}"
else
    TD_SOCKET="${TD_SOCKET:-dtlsh-test-$$}"
fi
TD_POLL_INTERVAL="${TD_POLL_INTERVAL:-0.1}"
TD_CMD_TIMEOUT="${TD_CMD_TIMEOUT:-5}"
TD_DEFAULT_TIMEOUT="${TD_DEFAULT_TIMEOUT:-10}"

# The server's configuration: no status line (the pane gets every row), panes stay readable after their
# program exits, a terminal type whose terminfo exists on Debian.
_td_config() {
    local config="${TMPDIR:-/tmp}/tmux-drive-$TD_SOCKET.conf"
    if [ ! -f "$config" ]; then
        cat >"$config" <<'EOF'
set -g status off
set -g remain-on-exit on
set -g default-terminal tmux-256color
set -g history-limit 5000
set -g escape-time 0
EOF
    fi
    printf '%s\n' "$config"
}

_td_tmux() {
    timeout "$TD_CMD_TIMEOUT" tmux -L "$TD_SOCKET" -f "$(_td_config)" "$@"
}

# Polls needed to cover SECONDS (at least 1).
_td_polls() {
    awk -v s="$1" -v i="$TD_POLL_INTERVAL" 'BEGIN { n = int(s / i); print (n < 1 ? 1 : n) }'
}

# td_start SESSION COLS ROWS COMMAND [ARG...]
# Starts COMMAND in a new detached session of exactly COLS x ROWS, with LANG=C.UTF-8 unless LANG is set.
# An existing session of that name is killed first.
td_start() {
    local session="$1" cols="$2" rows="$3"
    shift 3
    _td_tmux kill-session -t "=$session" 2>/dev/null
    _td_tmux new-session -d -s "$session" -x "$cols" -y "$rows" \
        -e "LANG=${LANG:-C.UTF-8}" -e "HOME=${HOME}" -- "$@"
}

# td_send SESSION KEY... — tmux key names: Enter Tab BSpace Up Down Left Right Home End C-c C-d Escape …
td_send() {
    local session="$1"
    shift
    _td_tmux send-keys -t "=$session:" "$@"
}

# td_type SESSION TEXT — TEXT literally, byte for byte (UTF-8 included), no key-name interpretation.
td_type() {
    _td_tmux send-keys -t "=$1:" -l -- "$2"
}

# td_capture SESSION [capture-pane flags…] — the visible screen, one line per row, trailing blanks trimmed.
# Add -J to join soft-wrapped rows, -e to keep colours.
td_capture() {
    local session="$1"
    shift
    _td_tmux capture-pane -p -t "=$session:" "$@"
}

# td_cursor SESSION — "X Y" of the cursor, 0-based.
td_cursor() {
    _td_tmux display-message -p -t "=$1:" '#{cursor_x} #{cursor_y}'
}

# td_resize SESSION COLS ROWS — resize the window (the program gets SIGWINCH).
td_resize() {
    _td_tmux resize-window -t "=$1:" -x "$2" -y "$3"
}

# td_wait_for SESSION TEXT [TIMEOUT_SECONDS] — until TEXT (fixed string) is on screen.
td_wait_for() {
    _td_wait "$1" "${3:-$TD_DEFAULT_TIMEOUT}" grep -qF -- "$2"
}

# td_wait_for_regex SESSION ERE [TIMEOUT_SECONDS] — until a line matches the extended regex.
td_wait_for_regex() {
    _td_wait "$1" "${3:-$TD_DEFAULT_TIMEOUT}" grep -qE -- "$2"
}

# td_wait_gone SESSION TEXT [TIMEOUT_SECONDS] — until TEXT is no longer on screen.
td_wait_gone() {
    _td_wait "$1" "${3:-$TD_DEFAULT_TIMEOUT}" _td_absent "$2"
}

_td_absent() {
    ! grep -qF -- "$1"
}

# td_wait_count SESSION TEXT N [TIMEOUT_SECONDS] — until at least N screen lines contain TEXT.
td_wait_count() {
    _td_wait "$1" "${4:-$TD_DEFAULT_TIMEOUT}" _td_count_at_least "$2" "$3"
}

_td_count_at_least() {
    [ "$(grep -cF -- "$1")" -ge "$2" ]
}

# td_wait_stable SESSION [TIMEOUT_SECONDS] — until two captures TD_POLL_INTERVAL apart are identical
# (and the cursor has not moved): the program has finished drawing.
td_wait_stable() {
    local session="$1" polls previous="" current
    polls=$(_td_polls "${2:-$TD_DEFAULT_TIMEOUT}")
    for ((i = 0; i < polls; i++)); do
        current="$(td_capture "$session"; td_cursor "$session")" || return 1
        if [ -n "$previous" ] && [ "$current" = "$previous" ]; then
            return 0
        fi
        previous="$current"
        sleep "$TD_POLL_INTERVAL"
    done
    _td_gave_up "$session" "a stable screen"
}

# td_wait_exit SESSION [TIMEOUT_SECONDS] — until the program has exited; prints its exit status.
td_wait_exit() {
    local session="$1" polls state
    polls=$(_td_polls "${2:-$TD_DEFAULT_TIMEOUT}")
    for ((i = 0; i < polls; i++)); do
        state="$(_td_tmux display-message -p -t "=$session:" '#{pane_dead} #{pane_dead_status}')" || return 1
        if [ "${state%% *}" = 1 ]; then
            printf '%s\n' "${state#* }"
            return 0
        fi
        sleep "$TD_POLL_INTERVAL"
    done
    _td_gave_up "$session" "the program to exit"
}

# td_kill SESSION — ends the session and its program (SIGHUP).
td_kill() {
    _td_tmux kill-session -t "=$1" 2>/dev/null
    return 0
}

# td_cleanup — ends the private server and removes its configuration file.
td_cleanup() {
    _td_tmux kill-server 2>/dev/null
    rm -f "${TMPDIR:-/tmp}/tmux-drive-$TD_SOCKET.conf"
    return 0
}

# _td_wait SESSION TIMEOUT PREDICATE [ARG...] — PREDICATE reads the capture on stdin.
_td_wait() {
    local session="$1" polls screen
    polls=$(_td_polls "$2")
    shift 2
    for ((i = 0; i < polls; i++)); do
        screen="$(td_capture "$session")" || return 1
        if printf '%s\n' "$screen" | "$@"; then
            return 0
        fi
        sleep "$TD_POLL_INTERVAL"
    done
    _td_gave_up "$session" "$*"
}

_td_gave_up() {
    {
        printf 'tmux-drive: gave up waiting for %s in session %s; the pane shows:\n' "$2" "$1"
        td_capture "$1" | sed 's/^/  | /'
        printf '  (cursor %s)\n' "$(td_cursor "$1")"
    } >&2
    return 1
}

# Run directly: the arguments name one function and its arguments.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    if [ $# -eq 0 ] || ! declare -F "$1" >/dev/null; then
        sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//' >&2
        exit 2
    fi
    "$@"
fi
