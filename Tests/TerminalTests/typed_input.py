#!/usr/bin/env python3
"""Typed-input fuzzer: the real interactive dtlsh in a pseudo-terminal this script opens itself.

    Tests/TerminalTests/typed_input.py PATH-TO-DTLSH [--long] [--seed N]

Each case types into a fresh shell (its own HOME) what a terminal could send — long lines in ASCII and
in multi-byte text, Tab on long lines, bracketed paste, colour codes, invalid UTF-8, random control keys
and escape sequences — then checks that the shell did not crash and still answers a command. The short
form runs in `make test`; `--long` (make fuzz) adds 1 MB lines and many more random rounds.

Prints `ok - NAME (figure)` or `not ok - NAME: why` per case, then `N passed, N failed`; exits 1 if any
case failed, 2 on a usage error. Every wait is bounded.
"""
import argparse
import fcntl
import os
import random
import re
import select
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time

PROMPT = b"dtlsh> "
ROWS, COLS = 40, 120


class Shell:
    """dtlsh on a pty: a reader thread drains its output so writes never stall."""

    def __init__(self, binary, home, env_extra=None):
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        env = dict(os.environ, HOME=home, LANG="C.UTF-8", TERM="xterm-256color")
        env.pop("LC_ALL", None)
        env.pop("LC_CTYPE", None)
        env.update(env_extra or {})

        def become_terminal_owner():
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.process = subprocess.Popen(
            [binary], stdin=slave, stdout=slave, stderr=slave, env=env, cwd=home,
            start_new_session=True, preexec_fn=become_terminal_owner, close_fds=True)
        os.close(slave)
        self.output = bytearray()
        self.lock = threading.Condition()
        self.reader = threading.Thread(target=self._drain, daemon=True)
        self.reader.start()

    def _drain(self):
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                chunk = b""
            with self.lock:
                if not chunk:
                    self.closed = True
                    self.lock.notify_all()
                    return
                self.output += chunk
                self.lock.notify_all()

    closed = False

    def mark(self):
        with self.lock:
            return len(self.output)

    def wait_for(self, pattern, since=0, timeout=20.0):
        """Until `pattern` (bytes regex) appears in the output after offset `since`."""
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        with self.lock:
            while True:
                if regex.search(self.output, since):
                    return True
                left = deadline - time.monotonic()
                if left <= 0 or self.closed:
                    return bool(regex.search(self.output, since))
                self.lock.wait(min(left, 0.2))

    def send(self, data, chunk=4096):
        """Writes like a terminal: in pieces, each as the pty takes it (bounded by the deadline)."""
        deadline = time.monotonic() + 120
        view = memoryview(data)
        while view:
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError("dtlsh stopped reading its terminal")
            _, writable, _ = select.select([], [self.master], [], 0.5)
            if writable:
                written = os.write(self.master, view[:chunk])
                view = view[written:]

    def alive(self):
        return self.process.poll() is None

    def answers(self, marker):
        """Runs `echo MARKER` on a fresh line and waits for its output line."""
        start = self.mark()
        # Ctrl-C through the terminal: it abandons the line and the terminal drops keys not yet read.
        self.send(b"\x03")
        if not self.wait_for(rb"\^C", start, timeout=30):
            return False
        start = self.mark()
        self.send(b"echo " + marker.encode() + b"\r")
        return self.wait_for(output_line(marker.encode()), start, timeout=30)

    def close(self):
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        try:
            os.close(self.master)
        except OSError:
            pass
        self.reader.join(5)

    def crashed_text(self):
        with self.lock:
            text = bytes(self.output)
        for sign in (b"Program crashed", b"malloc()", b"free()", b"AddressSanitizer", b"Fatal error", b"double free"):
            if sign in text:
                return sign.decode()
        return None


def output_line(text):
    """A command's output line as printed above the prompt: after the erase (ESC 8) or a line break, and
    ended by CR LF (the pty turns the LF into CR LF again)."""
    return rb"(?:\n|\x1b8)" + re.escape(text) + rb"\r+\n"


class Failure(Exception):
    pass


def start(binary, env_extra=None):
    home = tempfile.mkdtemp(prefix="dtlsh-typed-")
    shell = Shell(binary, home, env_extra)
    if not shell.wait_for(re.escape(PROMPT), timeout=20):
        shell.close()
        raise Failure("no prompt within 20 s")
    return shell


def check_alive(shell, what):
    crash = shell.crashed_text()
    if crash or not shell.alive():
        raise Failure(f"{what}: dtlsh died ({crash or 'exit ' + str(shell.process.returncode)})")
    if not shell.answers("still-here"):
        raise Failure(f"{what}: no answer to a command afterwards")


def line_case(binary, text, enter=True, chunk=4096, keys_after=""):
    """Types `echo TEXT` (without Enter: then the line is thrown away), then `keys_after` one key at a
    time as a person types; the echo must come back whole."""
    shell = start(binary)
    try:
        began = time.monotonic()
        start_mark = shell.mark()
        shell.send(("echo " + text).encode(), chunk)
        for key in keys_after:
            time.sleep(0.02)
            shell.send(key.encode())
        text += keys_after
        if enter:
            shell.send(b"\r")
            if not shell.wait_for(output_line(text.encode()), start_mark, timeout=120):
                raise Failure("the echo of the whole line never came back")
        else:
            shell.send(b"\x03")
            if not shell.wait_for(rb"\^C", start_mark, timeout=60):
                raise Failure("Ctrl-C after the long line was not seen")
        took = time.monotonic() - began
        check_alive(shell, "after the line")
        return f"{len(text.encode()) + 5} bytes in {took:.2f} s"
    finally:
        shell.close()


def tab_case(binary, length):
    """`echo` + a long word + a space, then Tab twice (the old crash at 5,120 characters)."""
    shell = start(binary)
    try:
        line = "echo " + "a" * (length - 6) + " "
        shell.send(line.encode())
        shell.send(b"\t")
        shell.send(b"\t")
        shell.send(b"\r")
        check_alive(shell, "Tab on a long line")
        return f"Tab at {length} characters"
    finally:
        shell.close()


def paste_case(binary):
    shell = start(binary)
    try:
        mark = shell.mark()
        shell.send(b"\x1b[200~echo pasted1\x1b[201~\r")
        if not shell.wait_for(output_line(b"pasted1"), mark):
            raise Failure("a bracketed paste did not run as 'echo pasted1'")
        mark = shell.mark()
        shell.send(b"\x1b[200~echo one\necho two\n\x1b[201~")
        if not shell.wait_for(output_line(b"one"), mark) or not shell.wait_for(output_line(b"two"), mark):
            raise Failure("a pasted two-line script did not run line by line")
        check_alive(shell, "paste")
        return "bracketed, one line and two"
    finally:
        shell.close()


def escape_case(binary):
    shell = start(binary)
    try:
        mark = shell.mark()
        shell.send(b"echo \x1b[31mred\x1b[0m\r")
        if not shell.wait_for(output_line(b"red"), mark):
            raise Failure("colour codes typed into a line leaked into the command")
        mark = shell.mark()
        shell.send(b"echo a\xffb\xc3\r")
        if not shell.wait_for(rb"not UTF-8", mark) or not shell.wait_for(output_line(b"ab"), mark):
            raise Failure("invalid UTF-8 was not dropped with a note")
        check_alive(shell, "escape sequences")
        return "colour codes consumed, invalid UTF-8 noted"
    finally:
        shell.close()


def history_case(binary):
    """A plain-text history file is moved aside, never destroyed; a directory is reported."""
    home = tempfile.mkdtemp(prefix="dtlsh-typed-")
    original = b"x" * 100_000 + b"\nls\n"
    with open(os.path.join(home, ".dtlsh_history"), "wb") as f:
        f.write(original)
    shell = Shell(binary, home)
    try:
        if not shell.wait_for(rb"was not a history file; moved it to ~/\.dtlsh_history\.unrecognised", timeout=20):
            raise Failure("no notice about the unrecognised history file")
        shell.send(b"echo kept\r")
        shell.send(b"quit\r")
        shell.process.wait(20)
    finally:
        shell.close()
    with open(os.path.join(home, ".dtlsh_history.unrecognised"), "rb") as f:
        if f.read() != original:
            raise Failure("the moved-aside file is not the user's content")
    with open(os.path.join(home, ".dtlsh_history"), "rb") as f:
        if not f.read().startswith(b"_HiStOrY_V2_\necho\\040kept\n"):
            raise Failure("the new history file does not hold this session's line")
    home = tempfile.mkdtemp(prefix="dtlsh-typed-")
    os.mkdir(os.path.join(home, ".dtlsh_history"))
    shell = Shell(binary, home)
    try:
        if not shell.wait_for(rb"cannot use ~/\.dtlsh_history \(it is a directory\)", timeout=20):
            raise Failure("a directory at the history path was not reported")
        check_alive(shell, "history directory")
    finally:
        shell.close()
    return "plain file moved aside intact, directory reported"


# Keys that would stop the test rather than the shell: Enter runs commands (`q` is `quit`), Ctrl-D on an
# empty line ends input, Ctrl-Z stops and Ctrl-\ quits the process, Ctrl-S stops output.
UNSAFE = {0x0D, 0x0A, 0x04, 0x1A, 0x1C, 0x13, 0x11, 0x03}
ESCAPES = [b"\x1b[A", b"\x1b[B", b"\x1b[C", b"\x1b[D", b"\x1b[H", b"\x1b[F", b"\x1b[3~", b"\x1b[1;5C",
           b"\x1b[31m", b"\x1b[200~", b"\x1b[201~", b"\x1bO", b"\x1b[", b"\x1b", b"\x1bb", b"\x1b[?25l",
           b"\x1b]0;title\x07", b"\x1b[999999999999999999999999999999999999C", b"\x1b[9999~"]
WORDS = ["echo ", "set ", "step ", "open ", "peers", "\t", "\t\t", "é", "😀", "日本", " ", "x" * 300]


def random_keys(rng, count):
    out = bytearray()
    while len(out) < count:
        choice = rng.random()
        if choice < 0.3:
            out += rng.choice(ESCAPES)
        elif choice < 0.6:
            out += rng.choice(WORDS).encode()
        elif choice < 0.8:
            byte = rng.randrange(0, 32)
            if byte not in UNSAFE:
                out.append(byte)
        else:
            out += bytes(b for b in rng.randbytes(rng.randrange(1, 8)) if b not in UNSAFE)
    return bytes(out)


def random_case(binary, seed, rounds):
    rng = random.Random(seed)
    shell = start(binary)
    try:
        for round_number in range(rounds):
            keys = random_keys(rng, rng.randrange(1, 2000))
            shell.send(keys, chunk=rng.choice([1, 7, 64, 4096]))
            # Ctrl-C abandons whatever the keys left (a search, a half line) and proves the loop runs.
            mark = shell.mark()
            shell.send(b"\x03")
            if not shell.wait_for(rb"\^C", mark, timeout=20):
                raise Failure(f"round {round_number}: Ctrl-C not seen (seed {seed})")
            if not shell.alive() or shell.crashed_text():
                raise Failure(f"round {round_number}: dtlsh died (seed {seed})")
        check_alive(shell, f"random keys (seed {seed})")
        return f"{rounds} rounds, seed {seed}"
    finally:
        shell.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary")
    parser.add_argument("--long", action="store_true", help="1 MB lines and many random rounds")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    if not os.access(args.binary, os.X_OK):
        print(f"usage: {sys.argv[0]} PATH-TO-DTLSH [--long] [--seed N]", file=sys.stderr)
        return 2
    binary = os.path.abspath(args.binary)
    seed = args.seed if args.seed is not None else random.randrange(1 << 32)
    sizes = [8 * 1024, 64 * 1024] + ([1024 * 1024] if args.long else [])
    cases = [
        # The thresholds where libedit's readline layer corrupted the heap.
        ("ascii_8190_no_enter", lambda: line_case(binary, "a" * 8185, enter=False)),
        ("ascii_8191_no_enter", lambda: line_case(binary, "a" * 8186, enter=False)),
        ("ascii_8191_pasted_then_typed", lambda: line_case(binary, "a" * 8180, keys_after="bcdefghij")),
        ("multibyte_2047_e_acute", lambda: line_case(binary, "é" * 2047, enter=False)),
        ("multibyte_2047_emoji", lambda: line_case(binary, "😀" * 2047)),
        ("tab_at_5120", lambda: tab_case(binary, 5120)),
        ("tab_at_64k", lambda: tab_case(binary, 64 * 1024)),
    ]
    for size in sizes:
        label = f"{size // 1024}k" if size < 1024 * 1024 else "1m"
        cases.append((f"ascii_line_{label}", lambda size=size: line_case(binary, "a" * size)))
        cases.append((f"multibyte_line_{label}", lambda size=size: line_case(binary, "é日😀" * (size // 9))))
    cases += [
        ("bracketed_paste", lambda: paste_case(binary)),
        ("escape_sequences_and_invalid_utf8", lambda: escape_case(binary)),
        ("history_file_never_destroyed", lambda: history_case(binary)),
        ("random_keys", lambda: random_case(binary, seed, 200 if args.long else 12)),
    ]
    passed = failed = 0
    for name, run in cases:
        try:
            figure = run()
            print(f"ok - {name} ({figure})", flush=True)
            passed += 1
        except (Failure, RuntimeError, OSError) as error:
            print(f"not ok - {name}: {error}", flush=True)
            failed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
