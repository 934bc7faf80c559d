#!/usr/bin/env python3
"""fakeircd.py - a one-client scripted IRC server for tests (standard library).

With --user/--password it requires SASL PLAIN (CAP REQ :sasl, AUTHENTICATE)
before registering the client; without them it registers on NICK + USER.
Once the client joins a channel it sends every line of --bad-lines FILE (raw
bytes, one per line; \\xNN escapes allowed) into the session, then
':alice!a@h PRIVMSG <chan> :still here'. With --nickserv PW it plays
NickServ: "PRIVMSG NickServ :IDENTIFY [NICK] PW" is answered, and a line
"identify ok|wrong|early NICK" goes to stdout (early: before 001). --taken
NICK makes that nick "in use" (433). Every client line is logged to stderr.
Exits when the client disconnects.
usage: fakeircd.py PORTFILE [--user U --password P] [--bad-lines F] [--nickserv PW] [--taken N]
"""
import argparse, base64, socket, sys

ap = argparse.ArgumentParser()
ap.add_argument("portfile")
ap.add_argument("--user")
ap.add_argument("--password")
ap.add_argument("--bad-lines")
ap.add_argument("--nickserv")
ap.add_argument("--taken")
a = ap.parse_args()
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(1)
open(a.portfile, "w").write("%d\n" % ls.getsockname()[1])
c, _ = ls.accept()
c.settimeout(30)
buf = b""
authed = False
nick = "x"   # no nick accepted yet
registered = False
cap_pending = False
user_seen = False

def send(b):
    c.sendall(b + b"\r\n")

def welcome():
    global registered
    registered = True
    send((":fake 001 %s :welcome" % nick).encode())
    send((":fake 376 %s :end of motd" % nick).encode())

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
            cap_pending = True
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
            if a.taken and w[1] == a.taken and not registered:
                send((":fake 433 * %s :Nickname is already in use" % w[1]).encode())
            else:
                nick = w[1]
                if user_seen and not registered and not a.user and not cap_pending:
                    welcome()
        elif cmd == "USER" and not a.user and not cap_pending:
            user_seen = True
            if nick != "x":
                welcome()
        elif cmd == "CAP" and w[1] == "END":
            if a.user and not authed:
                send(b"ERROR :no SASL, no entry")
                sys.exit(1)
            welcome()
        elif cmd == "PRIVMSG" and len(w) >= 3 and w[1].lower() == "nickserv" and a.nickserv:
            args = line.split(" :", 1)[1].split(" ") if " :" in line else []
            ok = len(args) >= 2 and args[0].upper() == "IDENTIFY" and args[-1] == a.nickserv
            who = args[1] if len(args) == 3 else nick
            verdict = "early" if not registered else "ok" if ok else "wrong"
            print("identify %s %s" % (verdict, who), flush=True)
            send((":NickServ!s@services NOTICE %s :%s" % (
                nick, "You are now identified for %s." % who if ok else "Invalid password.")).encode())
        elif cmd == "JOIN":
            ch = w[1]
            print("join %s" % ch, flush=True)
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
