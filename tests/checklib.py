"""checklib.py: the ok/FAIL lines and the closing count the Python suites share.

check(name, cond, detail) prints "ok   name" or "FAIL name: detail"; report(suite)
prints "suite: N passed, N failed", the line tests/run-tests.sh reads, and
returns the exit status (1 when anything failed). run_on_pty runs a command with
standard error (and standard output, if asked) on a pseudo-terminal, as the
progress line needs."""
import os
import pty
import select
import subprocess

counts = {"passed": 0, "failed": 0}


def check(name, cond, detail=""):
    if cond:
        counts["passed"] += 1
        print("ok   " + name)
    else:
        counts["failed"] += 1
        print("FAIL " + name + (": " + detail if detail else ""))
    return bool(cond)


def report(suite):
    print("%s: %d passed, %d failed" % (suite, counts["passed"], counts["failed"]))
    return 1 if counts["failed"] else 0


def run_on_pty(cmd, cwd, stdout_tty, limit):
    """Returns (exit status, bytes the terminal received); a command silent for
    `limit` seconds is killed."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stderr=slave,
                            stdout=slave if stdout_tty else subprocess.DEVNULL)
    os.close(slave)
    got = b""
    while True:
        ready, _, _ = select.select([master], [], [], limit)
        if not ready:
            proc.kill()
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: every writer has closed the terminal
            break
        if not chunk:
            break
        got += chunk
    os.close(master)
    return proc.wait(timeout=limit), got
