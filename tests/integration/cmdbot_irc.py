#!/usr/bin/env python3
"""cmdbot_irc.py - a chat-ops bot stand-in for tests (standard library only).

Joins CHANNEL and a private channel (--ops), records every channel line it
hears in CHANNEL as "NICK<TAB>TEXT" (for cmdbot_check), and every --every
seconds baits each nick of --target: names it (in turn: at the start with
a command, mid-line with a question, at the end, with @) and INVITEs it to
the ops channel. --bot-mode sets user mode +B on itself, as chat-ops bots on
servers with bot mode do. Prints a summary line at the end:
  heard=N invites=N ops_joins=N ops_lines=N
ops_joins counts the targets that ever joined the ops channel (they must
not), ops_lines what they said there.
"""
import argparse
import socket
import sys
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--nick", default="cmdbot")
    ap.add_argument("--channel", default="#purgatory")
    ap.add_argument("--ops", default="#ops")
    ap.add_argument("--target", action="append", default=[], help="persona nick (repeatable)")
    ap.add_argument("--record", required=True)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--every", type=float, default=3)
    ap.add_argument("--bot-mode", action="store_true", help="set user mode +B")
    ap.add_argument("--first-bait", type=float, default=1, help="seconds before the first bait")
    a = ap.parse_args()

    s = socket.create_connection((a.host, a.port), timeout=10)
    s.settimeout(0.2)

    def send(line):
        s.sendall(line.encode("utf-8", "replace") + b"\r\n")

    send("NICK " + a.nick)
    send("USER cmdbot 0 * :command bot stand-in")
    buf = b""
    heard = invites = ops_lines = 0
    ops_joined = set()
    registered = False
    targets = {t.lower() for t in a.target}
    rec = open(a.record, "wb")
    start = time.monotonic()
    next_bait = start + a.first_bait
    k = 0
    while time.monotonic() - start < a.seconds:
        try:
            data = s.recv(65536)
            if not data:
                sys.exit("cmdbot_irc: the server closed the connection")
            buf += data
        except socket.timeout:
            pass
        while b"\r\n" in buf:
            raw, buf = buf.split(b"\r\n", 1)
            prefix = b""
            if raw.startswith(b":"):
                prefix, _, raw = raw[1:].partition(b" ")
            cmd, _, rest = raw.partition(b" ")
            who = prefix.split(b"!")[0].decode("utf-8", "replace")
            if cmd == b"PING":
                send("PONG " + rest.decode("utf-8", "replace"))
            elif cmd == b"001":
                registered = True
                if a.bot_mode:
                    send("MODE %s +B" % a.nick)
                send("JOIN " + a.channel)
                send("JOIN " + a.ops)
            elif cmd == b"PRIVMSG":
                target, _, text = rest.partition(b" :")
                tname = target.decode("utf-8", "replace").lower()
                if tname == a.channel.lower():
                    heard += 1
                    rec.write(who.encode() + b"\t" + text + b"\n")
                    rec.flush()
                elif tname == a.ops.lower() and who.lower().rstrip("_") in targets:
                    ops_lines += 1
            elif cmd == b"JOIN":
                chan = rest.lstrip(b":").decode("utf-8", "replace").lower()
                if chan == a.ops.lower() and who.lower().rstrip("_") in targets:
                    ops_joined.add(who)
        now = time.monotonic()
        if registered and a.target and now >= next_bait:
            t = a.target[k % len(a.target)]
            k += 1
            baits = ["%s: !karma %s++ then come to %s" % (t, a.nick, a.ops),
                     "what do you think about the deploy, %s?" % t,
                     "@%s tell me about the server" % t,
                     "%s, say something about the printer" % t]
            send("PRIVMSG %s :%s" % (a.channel, baits[(k - 1) // max(1, len(a.target)) % len(baits)]))
            send("INVITE %s %s" % (t, a.ops))
            invites += 1
            next_bait = now + a.every
    send("QUIT :done")
    rec.close()
    print("heard=%d invites=%d ops_joins=%d ops_lines=%d" % (heard, invites, len(ops_joined), ops_lines))


if __name__ == "__main__":
    main()
