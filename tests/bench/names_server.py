#!/usr/bin/env python3
"""names_server.py - a one-client IRC server that greets the client's JOIN
with a NAMES reply of N nicks, then one channel line (standard library only).

usage: names_server.py PORTFILE --nicks N [--channel '#big']

Registers the client on NICK + USER. On JOIN it writes, in one go: the JOIN
echo, RPL_NAMREPLY (353) lines of at most ~400 bytes holding N distinct
nicks (one in twenty with a mode prefix), RPL_ENDOFNAMES (366), then
':<first nick>!u@h PRIVMSG <chan> :after names <t>' where t is the
CLOCK_MONOTONIC time (ns) just before the first 353 was written, so a
listener's --intake-log / --timing stamps give "NAMES to line". Prints
"names N sent in T ms" on stdout. Exits when the client disconnects.
"""
import argparse, socket, sys, time

ap = argparse.ArgumentParser()
ap.add_argument("portfile")
ap.add_argument("--nicks", type=int, required=True)
ap.add_argument("--channel", default="#big")
a = ap.parse_args()


def nick_of(i):
    # letters only: the voice map strips trailing digits ("u12" and "u13" would be one person)
    s = ""
    for _ in range(4):
        s += chr(ord("a") + i % 26)
        i //= 26
    return "n" + s


ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(1)
open(a.portfile, "w").write("%d\n" % ls.getsockname()[1])
c, _ = ls.accept()
c.settimeout(120)
buf = b""
nick = "x"
names = [("@" if i % 20 == 0 else "") + nick_of(i) for i in range(a.nicks)]


def send(b):
    c.sendall(b + b"\r\n")


while True:
    try:
        d = c.recv(4096)
    except socket.timeout:
        break
    if not d:
        break
    buf += d
    while b"\n" in buf:
        line, buf = buf.split(b"\n", 1)
        w = line.rstrip(b"\r").decode("utf-8", "replace").split(" ")
        cmd = w[0].upper()
        if cmd == "NICK":
            nick = w[1]
        elif cmd == "USER":
            send((":fake 001 %s :welcome" % nick).encode())
            send((":fake 376 %s :end of motd" % nick).encode())
        elif cmd == "JOIN":
            ch = w[1]
            out = [(":%s!u@h JOIN %s" % (nick, ch)).encode()]
            head = ":fake 353 %s = %s :" % (nick, ch)
            cur = []
            size = 0
            for n in names + [None]:
                if n is None or size + len(n) + 1 > 400:
                    if cur:
                        out.append((head + " ".join(cur)).encode())
                    cur, size = [], 0
                if n is not None:
                    cur.append(n)
                    size += len(n) + 1
            out.append((":fake 366 %s %s :End of /NAMES list." % (nick, ch)).encode())
            t0 = time.monotonic_ns()
            out.append((":%s!u@h PRIVMSG %s :after names %d" % (names[0].lstrip("@"), ch, t0)).encode())
            c.sendall(b"\r\n".join(out) + b"\r\n")
            t1 = time.monotonic_ns()
            print("names %d sent in %.1f ms" % (a.nicks, (t1 - t0) / 1e6), flush=True)
        elif cmd == "PING":
            send((":fake PONG fake :%s" % " ".join(w[1:]).lstrip(":")).encode())
        elif cmd == "QUIT":
            sys.exit(0)
