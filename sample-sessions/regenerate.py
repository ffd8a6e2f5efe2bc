#!/usr/bin/env python3
"""Rewrites each sample session's expected transcript from real runs.

Each script runs three times with `dtlsh run --stable`. Lines that differ
between runs only in some words (an ECDSA signature is 70 to 72 bytes, so
sizes move) keep those words as `<*>`, which the transcript test accepts for
any word. A script whose runs differ in their number of lines is racy: it is
reported and its transcript left alone.

usage: sample-sessions/regenerate.py [DTLSH] [SCRIPT...]
"""
import pathlib
import subprocess
import sys

here = pathlib.Path(__file__).resolve().parent
dtlsh = sys.argv[1] if len(sys.argv) > 1 else str(here.parent / ".build/debug/dtlsh")
scripts = [pathlib.Path(p) for p in sys.argv[2:]] or sorted(here.glob("[0-9]*.dtlsh"))
status = 0
for script in scripts:
    runs = []
    for _ in range(3):
        p = subprocess.run([dtlsh, "run", "--stable", str(script)], capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            print(f"{script.name}: exit {p.returncode}\n{p.stdout}{p.stderr}")
            status = 1
            break
        runs.append(p.stdout.split("\n"))
    else:
        if len({len(r) for r in runs}) != 1:
            print(f"{script.name}: runs differ in length; fix the race before recording")
            status = 1
            continue
        out = []
        for lines in zip(*runs):
            if len(set(lines)) == 1:
                out.append(lines[0])
                continue
            words = [l.split(" ") for l in lines]
            if len({len(w) for w in words}) != 1:
                print(f"{script.name}: lines differ in shape:\n  " + "\n  ".join(lines))
                status = 1
                out.append(lines[0])
                continue
            out.append(" ".join(ws[0] if len(set(ws)) == 1 else "<*>" for ws in zip(*words)))
        script.with_suffix(".expected").write_text("\n".join(out))
        print(f"{script.name}: recorded")
sys.exit(status)
