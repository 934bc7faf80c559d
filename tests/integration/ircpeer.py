#!/usr/bin/env python3
"""ircpeer.py - a scripted IRC client for tests (standard library only).

Connects one or more nicks to an IRC server, joins channels, optionally waits
until other nicks (the listener under test) are in the channel, says scripted
lines, optionally records what the channel said, then quits.

Script lines (from --script FILE, '-' for stdin, and/or --line, in order):
  nick|text              PRIVMSG to the first channel
  nick@#chan|text        PRIVMSG to #chan (every peer joins it at the start)
  nick|/me waves         CTCP ACTION
  nick|/notice text      NOTICE to the channel
  nick|/nick newnick     change nick (later lines may use either name)
  nick|/part [reason]    leave the channel
  nick|/join [#chan]     join again (or join #chan)
  nick|/quit [reason]    disconnect this nick
  nick|/raw LINE         send LINE to the server as it is
  nick|//text            PRIVMSG "/text"
  /sleep SECONDS         pause (the connections stay served)
  # comment, blank lines ignored
Every nick named in the script is connected (besides those of --nick).
When consecutive lines come from different nicks, the previous nick's lines
are confirmed processed by the server (PING/PONG) first, so the channel sees
the lines in script order even with --delay 0.

Recording (--record FILE): every channel message that the first nick sees is
appended as 'nick|text' ('nick|/me text' for actions, 'nick|/notice text'),
one per line, flushed at once. --expect N / --until TEXT wait for recorded
lines after the script has been sent.

Raw mode (--raw FILE, '-' for stdin): one connection that sends bytes the
script above cannot (invalid UTF-8, a NUL, PASS) and registers only if told.
Each line of FILE is one step:
  send LINE              send LINE + CR LF; Python escapes (\\xff, \\x00, \\\\)
                         give any byte
  expect [N] TEXT        wait until TEXT (escapes too; "quoted" to keep spaces at
                         its ends) has come N times (default 1) since the last
                         expect was met
  sleep SECONDS          pause
  # comment, blank lines ignored
Every line the server sends is appended to --record FILE ('-' = stdout), if
given. --timeout limits each expect; --port and --host apply.

Exit status: 0 done; 1 timeout, connection or server error (with a message
on stderr saying what was awaited); 2 usage error.
"""

import argparse
import os
import select
import socket
import sys
import time


class PeerError(Exception):
    pass


def log(msg):
    sys.stderr.write("ircpeer: %s\n" % msg)
    sys.stderr.flush()


def parse_line(raw):
    """Split an IRC line into (prefix_nick, command, params)."""
    prefix = ""
    if raw.startswith(":"):
        prefix, _, raw = raw[1:].partition(" ")
    trailing = None
    if " :" in raw:
        raw, _, trailing = raw.partition(" :")
    elif raw.startswith(":"):
        raw, trailing = "", raw[1:]
    params = raw.split()
    if trailing is not None:
        params.append(trailing)
    cmd = params.pop(0).upper() if params else ""
    return prefix.split("!", 1)[0], cmd, params


class Conn:
    """One client connection; non-blocking, served by Peer.pump()."""

    def __init__(self, peer, nick, host, port, timeout):
        self.peer = peer
        self.name = nick          # the name the script uses
        self.nick = nick          # the name the server knows
        self.inbuf = b""
        self.outbuf = bytearray()
        self.registered = False
        self.closed = False
        self.quitting = False
        self.joined = set()       # lower-case channels we are in
        self.names_done = set()   # channels whose NAMES list has ended
        self.members = {}         # lower-case channel -> set of lower nicks
        self.pongs = set()
        try:
            self.sock = socket.create_connection((host, port), timeout=timeout)
        except OSError as e:
            raise PeerError("cannot connect %s to %s:%d: %s" % (nick, host, port, e.strerror or e))
        self.sock.setblocking(False)
        self.send("NICK %s" % nick)
        # a user name is letters and digits (servers refuse "dj[m]" as one)
        user = "".join(ch if ch.isascii() and ch.isalnum() else "x" for ch in nick)[:9]
        self.send("USER %s 0 * :ircpeer test client" % user)

    def send(self, line):
        if self.peer.verbose:
            log("%s > %s" % (self.nick, line))
        data = line.encode("utf-8", "replace").replace(b"\r", b"").replace(b"\n", b"")
        self.outbuf += data[:510] + b"\r\n"

    def fileno(self):
        return self.sock.fileno()

    def on_readable(self):
        try:
            data = self.sock.recv(65536)
        except BlockingIOError:
            return
        except OSError as e:
            data = b""
            if not self.quitting:
                raise PeerError("%s: connection error: %s" % (self.nick, e))
        if not data:
            self.closed = True
            if not self.quitting:
                raise PeerError("%s: the server closed the connection" % self.nick)
            return
        self.inbuf += data
        while b"\n" in self.inbuf:
            raw, self.inbuf = self.inbuf.split(b"\n", 1)
            line = raw.rstrip(b"\r").decode("utf-8", "replace")
            if line:
                if self.peer.verbose:
                    log("%s < %s" % (self.nick, line))
                self.on_line(line)

    def on_writable(self):
        try:
            n = self.sock.send(self.outbuf)
        except BlockingIOError:
            return
        except OSError as e:
            if self.quitting:
                self.outbuf.clear()
                return
            raise PeerError("%s: cannot send: %s" % (self.nick, e))
        del self.outbuf[:n]

    def on_line(self, line):
        src, cmd, p = parse_line(line)
        me = self.nick.lower()
        if cmd == "PING":
            self.send("PONG :%s" % (p[-1] if p else ""))
        elif cmd == "PONG":
            self.pongs.add(p[-1] if p else "")
        elif cmd == "001":
            self.registered = True
            if p:
                self.nick = p[0]
        elif cmd == "433" and not self.registered:
            # Nick taken: the common fallback, an underscore appended.
            newnick = (p[1] if len(p) > 1 else self.nick) + "_"
            log("nick %s is in use; trying %s" % (self.nick, newnick))
            self.nick = newnick
            self.send("NICK %s" % newnick)
        elif cmd == "353" and len(p) >= 4:
            chan = p[2].lower()
            for n in p[3].split():
                self.members.setdefault(chan, set()).add(n.lstrip("@+%&~!").lower())
        elif cmd == "366" and len(p) >= 2:
            self.names_done.add(p[1].lower())
        elif cmd == "JOIN" and p:
            for chan in p[0].lower().split(","):
                self.members.setdefault(chan, set()).add(src.lower())
                if src.lower() == me:
                    self.joined.add(chan)
        elif cmd == "PART" and p:
            for chan in p[0].lower().split(","):
                self.members.get(chan, set()).discard(src.lower())
                if src.lower() == me:
                    self.joined.discard(chan)
                    self.names_done.discard(chan)
        elif cmd == "KICK" and len(p) >= 2:
            self.members.get(p[0].lower(), set()).discard(p[1].lower())
        elif cmd == "QUIT":
            for m in self.members.values():
                m.discard(src.lower())
        elif cmd == "NICK" and p:
            for m in self.members.values():
                if src.lower() in m:
                    m.discard(src.lower())
                    m.add(p[0].lower())
            if src.lower() == me:
                self.nick = p[0]
        elif cmd in ("PRIVMSG", "NOTICE") and len(p) >= 2 and p[0][:1] in "#&+!":
            self.peer.on_channel_message(self, src, cmd, p[0], p[1])
        elif cmd == "ERROR":
            self.closed = True
            if not self.quitting:
                raise PeerError("%s: server error: %s" % (self.nick, " ".join(p)))
        elif len(cmd) == 3 and cmd.isdigit() and cmd[0] in "45" and cmd != "433":
            log("%s: server says %s %s" % (self.nick, cmd, " ".join(p[1:])))


class Peer:
    def __init__(self, args):
        self.args = args
        self.verbose = args.verbose
        self.conns = []
        self.byname = {}
        self.recorded = []
        self.record = None
        if args.record == "-":
            self.record = sys.stdout
        elif args.record:
            self.record = open(args.record, "a", encoding="utf-8")
        self.token = 0

    # --- the event loop ---

    def pump(self, timeout):
        live = [c for c in self.conns if not c.closed]
        if not live:
            time.sleep(max(0.0, timeout))
            return
        wr = [c for c in live if c.outbuf]
        r, w, _ = select.select(live, wr, [], max(0.0, timeout))
        for c in w:
            c.on_writable()
        for c in r:
            c.on_readable()

    def wait(self, pred, what, timeout=None):
        timeout = self.args.timeout if timeout is None else timeout
        end = time.monotonic() + timeout
        while not pred():
            left = end - time.monotonic()
            if left <= 0:
                raise PeerError("timeout after %gs waiting for %s" % (timeout, what()))
            self.pump(min(left, 0.2))

    def sleep(self, secs):
        end = time.monotonic() + secs
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return
            self.pump(min(left, 0.2))

    def flush(self):
        self.wait(lambda: not any(c.outbuf for c in self.conns if not c.closed),
                  lambda: "the server to take our output")

    def sync(self, conns):
        """Wait until the server has processed everything sent on conns."""
        want = []
        for c in conns:
            if c.closed or c.quitting:
                continue
            self.token += 1
            tok = "sync%d" % self.token
            c.send("PING :%s" % tok)
            want.append((c, tok))
        self.wait(lambda: all(tok in c.pongs for c, tok in want),
                  lambda: "PONG from the server for %s" %
                  ", ".join(c.nick for c, tok in want if tok not in c.pongs))

    # --- recording ---

    def on_channel_message(self, conn, src, cmd, chan, text):
        if conn is not self.conns[0]:
            return
        if cmd == "NOTICE":
            text = "/notice " + text
        elif text.startswith("\x01ACTION ") or text == "\x01ACTION\x01":
            text = "/me " + text[len("\x01ACTION "):].rstrip("\x01")
        line = "%s|%s" % (src, text)
        if chan.lower() != self.channels[0].lower():
            line = "%s@%s|%s" % (src, chan, text)
        self.recorded.append(line)
        if self.record:
            self.record.write(line + "\n")
            self.record.flush()

    # --- the phases ---

    def connect(self, nicks):
        a = self.args
        for n in nicks:
            c = Conn(self, n, a.host, a.port, a.timeout)
            self.conns.append(c)
            self.byname[n.lower()] = c
        self.wait(lambda: all(c.registered for c in self.conns),
                  lambda: "the server's welcome (001) for %s" %
                  ", ".join(c.nick for c in self.conns if not c.registered))

    def join(self, channels):
        self.channels = channels
        for c in self.conns:
            c.send("JOIN %s" % ",".join(channels))
        low = [ch.lower() for ch in channels]
        self.wait(lambda: all(ch in c.joined and ch in c.names_done
                              for c in self.conns for ch in low),
                  lambda: "JOIN %s to complete for %s" % (
                      ",".join(channels),
                      ", ".join(c.nick for c in self.conns
                                if not all(ch in c.joined and ch in c.names_done for ch in low))))

    def wait_nicks(self, nicks):
        first = self.conns[0]
        low = [ch.lower() for ch in self.channels]

        def missing():
            return [(n, ch) for n in nicks for ch in low
                    if n.lower() not in first.members.get(ch, set())]

        def what():
            ch = missing()[0][1]
            return "%s to be in %s (in it: %s)" % (
                ", ".join(sorted(set(n for n, _ in missing()))), ch,
                ", ".join(sorted(first.members.get(ch, set()))) or "nobody")
        self.wait(lambda: not missing(), what)

    def conn_for(self, name):
        c = self.byname.get(name.lower())
        if c is None:
            raise PeerError("script names %s, who is not connected" % name)
        return c

    def say(self, conn, chan, text):
        if text.startswith("//"):
            conn.send("PRIVMSG %s :%s" % (chan, text[1:]))
            return
        if not text.startswith("/"):
            conn.send("PRIVMSG %s :%s" % (chan, text))
            return
        verb, _, rest = text[1:].partition(" ")
        if verb == "me":
            conn.send("PRIVMSG %s :\x01ACTION %s\x01" % (chan, rest))
        elif verb == "notice":
            conn.send("NOTICE %s :%s" % (chan, rest))
        elif verb == "nick":
            conn.send("NICK %s" % rest.strip())
            self.byname[rest.strip().lower()] = conn
        elif verb == "part":
            conn.send("PART %s :%s" % (chan, rest) if rest else "PART %s" % chan)
        elif verb == "join":
            conn.send("JOIN %s" % (rest.strip() or chan))
        elif verb == "quit":
            conn.send("QUIT :%s" % (rest or "bye"))
            conn.quitting = True
        elif verb == "raw":
            conn.send(rest)
        else:
            raise PeerError("unknown command /%s (use //%s to say it)" % (verb, verb))

    def run_script(self, script):
        a = self.args
        prev = None
        for i, (nick, chan, text) in enumerate(script):
            if nick is None:                      # /sleep
                self.sleep(float(text))
                continue
            conn = self.conn_for(nick)
            if prev is not None and prev is not conn:
                self.sync([prev])
            self.say(conn, chan or self.channels[0], text)
            prev = conn
            if a.delay > 0 and i + 1 < len(script):
                self.flush()
                self.sleep(a.delay)
        if a.burst:
            conn = self.conn_for(a.burst_nick or script_nicks(script, a)[0])
            if prev is not None and prev is not conn:
                self.sync([prev])
            for i in range(1, a.burst + 1):
                conn.send("PRIVMSG %s :%s" % (self.channels[0],
                                              a.burst_format.format(i=i, n=a.burst)))
        self.flush()
        self.sync(self.conns)

    def wait_records(self):
        a = self.args
        if a.expect:
            self.wait(lambda: len(self.recorded) >= a.expect,
                      lambda: "%d recorded channel lines (have %d)" % (a.expect, len(self.recorded)))
        for t in a.until:
            self.wait(lambda: any(t in r for r in self.recorded),
                      lambda: "a recorded channel line containing %r (have %d lines)" %
                      (t, len(self.recorded)))

    def quit(self):
        for c in self.conns:
            if not c.closed and not c.quitting:
                c.send("QUIT :%s" % self.args.quit_message)
                c.quitting = True
        end = time.monotonic() + 2.0
        while any(not c.closed for c in self.conns) and time.monotonic() < end:
            self.pump(0.1)
        for c in self.conns:
            try:
                c.sock.close()
            except OSError:
                pass
        if self.record and self.record is not sys.stdout:
            self.record.close()


VERBS = ("me", "notice", "nick", "part", "join", "quit", "raw")


def usage_error(msg):
    log(msg)
    sys.exit(2)


def read_script(args):
    """[(nick or None, channel or None, text)] from --script and --line."""
    lines = []
    if args.script:
        f = sys.stdin if args.script == "-" else open(args.script, encoding="utf-8")
        with f:
            lines += [l.rstrip("\n") for l in f]
    lines += args.line
    out = []
    for n, l in enumerate(lines, 1):
        s = l.strip()
        if not s or s.startswith("#"):
            continue
        if s.startswith("/sleep"):
            try:
                out.append((None, None, str(float(s.split()[1]))))
            except (IndexError, ValueError):
                usage_error("script line %d: /sleep needs seconds: %r" % (n, l))
            continue
        who, sep, text = l.lstrip().partition("|")
        if not sep or not who.strip():
            usage_error("script line %d is not 'nick|text': %r" % (n, l))
        who = who.strip()
        chan = None
        if "@" in who:
            who, chan = who.split("@", 1)
        if text.startswith("/") and not text.startswith("//"):
            verb = text[1:].split(" ", 1)[0]
            if verb not in VERBS:
                usage_error("script line %d: unknown command /%s (known: %s; use //%s to say it)"
                            % (n, verb, ", /".join(("",) + VERBS)[2:], verb))
            if verb == "nick" and not text[5:].strip():
                usage_error("script line %d: /nick needs a new nick" % n)
        out.append((who, chan, text))
    return out


def script_nicks(script, args):
    seen = []
    for n in list(args.nick) + [w for w, _, _ in script if w]:
        if n.lower() not in [s.lower() for s in seen]:
            seen.append(n)
    # Nicks introduced by /nick are the same connection, not new ones.
    renamed = set()
    for w, _, t in script:
        if w and t.startswith("/nick "):
            renamed.add(t[6:].strip().lower())
    return [n for n in seen if n.lower() not in renamed or n in args.nick]


def raw_steps(path):
    """[(verb, count, bytes)] from a --raw file."""
    import codecs
    f = sys.stdin if path == "-" else open(path, encoding="utf-8")
    with f:
        lines = [l.rstrip("\n") for l in f]
    steps = []
    for n, l in enumerate(lines, 1):
        if not l.strip() or l.lstrip().startswith("#"):
            continue
        verb, _, rest = l.partition(" ")
        count = 1
        if verb == "expect":
            first, _, more = rest.partition(" ")
            if first.isdigit() and more:
                count, rest = int(first), more
            if len(rest) >= 2 and rest[0] == rest[-1] == '"':
                rest = rest[1:-1]   # "quoted": keeps spaces at the ends
        elif verb == "sleep":
            try:
                float(rest)
            except ValueError:
                usage_error("raw line %d: sleep needs seconds: %r" % (n, l))
        elif verb != "send":
            usage_error("raw line %d: not send, expect or sleep: %r" % (n, l))
        if not rest:
            usage_error("raw line %d: %s needs an argument" % (n, verb))
        steps.append((verb, count, codecs.escape_decode(rest.encode("utf-8"))[0]))
    return steps


def raw_session(args):
    """--raw: run the steps on one plain connection; the exit status."""
    steps = raw_steps(args.raw)
    record = None
    if args.record:
        record = sys.stdout.buffer if args.record == "-" else open(args.record, "ab")
    try:
        s = socket.create_connection((args.host, args.port), timeout=args.timeout)
    except OSError as e:
        log("cannot connect to %s:%d: %s" % (args.host, args.port, e))
        return 1
    buf = b""      # received since the last expect was met
    part = b""     # an incomplete line, for --record
    with s:
        for verb, count, arg in steps:
            if verb == "send":
                s.sendall(arg + b"\r\n")
            elif verb == "sleep":
                time.sleep(float(arg))
            else:
                end = time.monotonic() + args.timeout
                while buf.count(arg) < count:
                    left = end - time.monotonic()
                    if left <= 0:
                        log("timed out after %ss waiting for %d x %r (saw %d)"
                            % (args.timeout, count, arg, buf.count(arg)))
                        return 1
                    s.settimeout(left)
                    try:
                        data = s.recv(4096)
                    except socket.timeout:
                        continue
                    except OSError as e:
                        log("connection error while waiting for %r: %s" % (arg, e))
                        return 1
                    if not data:
                        log("the server closed the connection while waiting for %r" % arg)
                        return 1
                    buf += data
                    if record:
                        part += data
                        *whole, part = part.split(b"\n")
                        for w in whole:
                            record.write(w.rstrip(b"\r") + b"\n")
                        record.flush()
                # the next expect counts what came after this one's last match
                at = -1
                for _ in range(count):
                    at = buf.index(arg, at + 1)
                buf = buf[at + len(arg):]
    return 0


def main():
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="See the top of this file for the script format.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--channel", action="append", default=[],
                    help="channel to join (repeatable; the first is the default target)")
    ap.add_argument("--nick", action="append", default=[],
                    help="nick to connect even if the script does not name it (repeatable); "
                         "the first connected nick records")
    ap.add_argument("--wait-nick", action="append", default=[], metavar="NICK",
                    help="before the script, wait until NICK is in every channel (repeatable)")
    ap.add_argument("--script", metavar="FILE", help="script file ('-' = stdin)")
    ap.add_argument("--line", action="append", default=[], metavar="NICK|TEXT",
                    help="a script line (repeatable; after --script's lines)")
    ap.add_argument("--delay", type=float, default=0.0, metavar="SECS",
                    help="pause between script lines")
    ap.add_argument("--start-delay", type=float, default=0.0, metavar="SECS",
                    help="pause after joining (and --wait-nick) before the first line")
    ap.add_argument("--burst", type=int, default=0, metavar="K",
                    help="after the script, send K lines as fast as possible")
    ap.add_argument("--burst-nick", help="who sends the burst (default: the first nick)")
    ap.add_argument("--burst-format", default="burst line {i} of {n}",
                    help="text of burst line i of n (default: %(default)r)")
    ap.add_argument("--record", metavar="FILE",
                    help="append what the channel says, as seen by the first nick ('-' = stdout)")
    ap.add_argument("--expect", type=int, default=0, metavar="N",
                    help="after sending, wait until N channel lines were recorded")
    ap.add_argument("--until", action="append", default=[], metavar="TEXT",
                    help="after sending, wait for a recorded line containing TEXT (repeatable)")
    ap.add_argument("--stay", type=float, default=0.0, metavar="SECS",
                    help="stay connected SECS longer before quitting")
    ap.add_argument("--timeout", type=float, default=20.0, metavar="SECS",
                    help="limit for each wait: connect, join, nicks, records (default %(default)s)")
    ap.add_argument("--quit-message", default="done")
    ap.add_argument("-v", "--verbose", action="store_true", help="log all traffic on stderr")
    ap.add_argument("--raw", metavar="FILE",
                    help="raw mode: send, expect and sleep steps from FILE ('-' = stdin) on one "
                         "connection; see the top of this file")
    args = ap.parse_args()

    if args.raw:
        return raw_session(args)

    if not args.channel:
        ap.error("at least one --channel is needed")
    if args.burst < 0 or args.expect < 0 or args.delay < 0:
        ap.error("--burst, --expect and --delay cannot be negative")
    script = read_script(args)
    nicks = script_nicks(script, args)
    if args.burst_nick and args.burst_nick.lower() not in [n.lower() for n in nicks]:
        nicks.append(args.burst_nick)
    if not nicks:
        ap.error("no nick: give --nick or script lines")

    peer = Peer(args)
    try:
        peer.connect(nicks)
        # Channels that script lines name (nick@#chan|text) are joined too.
        channels = list(args.channel)
        for _, ch, _ in script:
            if ch and ch.lower() not in [c.lower() for c in channels]:
                channels.append(ch)
        peer.join(channels)
        if args.wait_nick:
            peer.wait_nicks(args.wait_nick)
        if args.start_delay:
            peer.sleep(args.start_delay)
        peer.run_script(script)
        peer.wait_records()
        if args.stay:
            peer.sleep(args.stay)
        peer.quit()
    except PeerError as e:
        log(str(e))
        return 1
    except KeyboardInterrupt:
        return 130
    n = sum(1 for w, _, _ in script if w) + args.burst
    if args.verbose or os.environ.get("IRCPEER_SUMMARY"):
        log("sent %d line(s) as %s; recorded %d" % (n, ",".join(c.nick for c in peer.conns),
                                                      len(peer.recorded)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
