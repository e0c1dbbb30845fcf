#!/usr/bin/env python3
"""pty_run.py: run a command on a pseudo-terminal, as a user at a terminal would, and print
what the terminal received (the command's standard output and standard error, as they
interleave there). For the tests of what vfioc prints only on a terminal: colour, the
summary line, the marks, the width.

  pty_run.py [--cols N] -- COMMAND [ARGS...]

--cols N      the terminal's width (TIOCSWINSZ); default 80
"""
import fcntl
import os
import pty
import struct
import sys
import termios


def main():
    args = sys.argv[1:]
    cols = 80
    while args and args[0] != "--":
        if args[0] == "--cols":
            cols = int(args[1])
            args = args[2:]
        else:
            sys.exit("pty_run.py: unknown option " + args[0])
    cmd = args[1:]
    pid, fd = pty.fork()
    if pid == 0:
        # The size is set here, on the terminal's own side, before the program starts: set
        # by the parent it could come after the program asked.
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, cols, 0, 0))
        os.execvp(cmd[0], cmd)
    got = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        got += chunk
    _, status = os.waitpid(pid, 0)
    # The terminal turns "\n" into "\r\n"; give the test the bytes the program wrote.
    sys.stdout.buffer.write(got.replace(b"\r\n", b"\n"))
    sys.exit(os.waitstatus_to_exitcode(status))


main()
