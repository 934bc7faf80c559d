#!/usr/bin/env python3
"""fakeircd.py - a one-client scripted IRC server for tests (standard library).

Requires SASL PLAIN (CAP REQ :sasl, AUTHENTICATE) with --user/--password,
then registers the client, and once it joins a channel sends every line of
--bad-lines FILE (raw bytes, one per line; \\xNN escapes allowed) into the
session, then ':alice!a@h PRIVMSG <chan> :still here'. Exits when the client
disconnects. usage: fakeircd.py PORTFILE --user U --password P [--bad-lines F]
"""
import argparse, base64, socket, sys

ap = argparse.ArgumentParser()
ap.add_argument("portfile")
ap.add_argument("--user", required=True)
ap.add_argument("--password", required=True)
ap.add_argument("--bad-lines")
a = ap.parse_args()
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(1)
open(a.portfile, "w").write("%d\n" % ls.getsockname()[1])
c, _ = ls.accept()
c.settimeout(30)
buf = b""
authed = False
nick = "x"

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
        line = line.rstrip(b"\r").decode("utf-8", "replace")
        sys.stderr.write("C: %s\n" % line)
        w = line.split(" ")
        cmd = w[0].upper()
        if cmd == "CAP" and w[1:3] == ["REQ", ":sasl"]:
            send(b":fake CAP * ACK :sasl")
        elif cmd == "AUTHENTICATE" and w[1] == "PLAIN":
            send(b"AUTHENTICATE +")
        elif cmd == "AUTHENTICATE":
            want = base64.b64encode(("%s\0%s\0%s" % (a.user, a.user, a.password)).encode()).decode()
            if w[1] == want:
                send(b":fake 900 * * %s :You are now logged in" % a.user.encode())
                send(b":fake 903 * :SASL authentication successful")
                authed = True
            else:
                send(b":fake 904 * :SASL authentication failed")
        elif cmd == "NICK":
            nick = w[1]
        elif cmd == "CAP" and w[1] == "END":
            if not authed:
                send(b"ERROR :no SASL, no entry")
                sys.exit(1)
            send((":fake 001 %s :welcome" % nick).encode())
            send((":fake 376 %s :end of motd" % nick).encode())
        elif cmd == "JOIN":
            ch = w[1]
            send((":%s!u@h JOIN %s" % (nick, ch)).encode())
            send((":fake 353 %s = %s :%s @alice" % (nick, ch, nick)).encode())
            if a.bad_lines:
                for raw in open(a.bad_lines, "rb").read().split(b"\n"):
                    if raw:
                        raw = raw.decode("latin-1").encode("latin-1").decode("unicode_escape").encode("latin-1")
                        send(raw.replace(b"CHAN", ch.encode()).replace(b"ME", nick.encode()))
            send((":alice!a@h PRIVMSG %s :still here" % ch).encode())
        elif cmd == "PING":
            send((":fake PONG fake :%s" % " ".join(w[1:]).lstrip(":")).encode())
        elif cmd == "QUIT":
            sys.exit(0)
