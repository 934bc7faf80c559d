#!/usr/bin/env python3
"""fakeircd.py - a scripted IRC server for tests (standard library only).

By default it serves one client and exits when that client disconnects.
With --user/--password it requires SASL PLAIN (CAP REQ :sasl, AUTHENTICATE)
before registering the client; without them it registers on NICK + USER.
Once the client joins a channel it sends every line of --bad-lines FILE (raw
bytes, one per line; \\xNN escapes allowed; CHAN and ME are replaced by the
channel and the client's nick) into the session, then
':alice!a@h PRIVMSG <chan> :still here'. With --nickserv PW it plays
NickServ: "PRIVMSG NickServ :IDENTIFY [NICK] PW" is answered, and a line
"identify ok|wrong|early NICK" goes to stdout (early: before 001). --taken
NICK makes that nick "in use" (433). Every client line is logged to stderr
as "C: <line>"; each JOIN also prints "join <chan>" on stdout. A QUIT
ends the session (the server closes the link, as real servers do).

Options for tests of a client's manners with a hostile server (the texts
it sends contain ESC and BEL, so a client must make them visible):
  --many            serve any number of clients, concurrently (a thread
                    each), on the one port; run until killed
  --stamp           stderr lines become "<secs> <conn> C: <line>" (seconds
                    since start, connection number from 1), plus
                    "<secs> <conn> open" and "<secs> <conn> closed by
                    client|server" for every connection
  --nick-reply N    answer every NICK before registration with numeric N
                    (433: "Nickname is ^[[1mtaken^G here"; 432:
                    "Erroneous ^[[1mnick^G name"): the nick is never accepted
  --kick-on-join    KICK the client (by OP, reason "out ^[[5mnow^G please")
                    right after every JOIN reply
  --join-reply N    answer every JOIN with numeric N (e.g. 474: "Cannot join
                    channel (+b) ^[[1mbanned^G")
  --error-after-welcome
                    right after 001: "ERROR :Closing Link: 127.0.0.1 (Flood
                    ^[[0mkill^G)" and close
  --close-after-join
                    after the JOIN reply (and --bad-lines): "ERROR :Closing
                    Link: 127.0.0.1 (bye ^[[0mnow^G)" and close
  --ban             the first connection registers and is closed with an
                    ERROR after its first JOIN; every later one gets
                    "465 :You are banned from this server: ^[spam^G",
                    an ERROR, and is closed before 001
  --bad-password    instead of registering: "464 :Password ^Gincorrect",
                    an ERROR, and close
  --force-join CH   after the JOIN reply, twice: ":ME!u@h JOIN CH", then
                    ":bob!b@h PRIVMSG CH :forced words nobody asked for"
  --caps LIST       speak IRCv3 CAP: "CAP LS [302]" is answered with LIST
                    (e.g. "message-tags multi-prefix"), "CAP REQ" is ACKed
                    for caps in LIST (NAKed otherwise), registration waits
                    for "CAP END"; stdout gets "cap-req <caps>" and "cap-end"
  --tagged-bot NICK after the JOIN reply (and before alice's line), NICK
                    speaks in the channel with the IRCv3 `bot` tag (and a
                    msgid and time), as servers with bot mode tag a bot's
                    messages once message-tags is negotiated
  --history K       on every JOIN, before the live line, replay K old lines
                    ("history line 1".."K" from carol, ten minutes old by
                    their server-time tag when server-time was acked, in a
                    `chathistory` BATCH when batch was acked too)
  --kick-once       after the first JOIN's lines, KICK the client once (it
                    rejoins, and gets the replay again)
  (^[ is ESC and ^G is BEL here.)
usage: fakeircd.py PORTFILE [--user U --password P] [--bad-lines F] [--nickserv PW] [--taken N]
                   [--many] [--stamp] [--nick-reply N] [--kick-on-join] [--join-reply N]
                   [--error-after-welcome] [--close-after-join] [--ban] [--bad-password]
                   [--force-join CH] [--caps LIST] [--tagged-bot NICK] [--history K] [--kick-once]
"""
import argparse, base64, socket, sys, threading, time

ap = argparse.ArgumentParser()
ap.add_argument("portfile")
ap.add_argument("--user")
ap.add_argument("--password")
ap.add_argument("--bad-lines")
ap.add_argument("--nickserv")
ap.add_argument("--taken")
ap.add_argument("--many", action="store_true")
ap.add_argument("--stamp", action="store_true")
ap.add_argument("--nick-reply", type=int)
ap.add_argument("--kick-on-join", action="store_true")
ap.add_argument("--join-reply", type=int)
ap.add_argument("--error-after-welcome", action="store_true")
ap.add_argument("--close-after-join", action="store_true")
ap.add_argument("--ban", action="store_true")
ap.add_argument("--bad-password", action="store_true")
ap.add_argument("--force-join")
ap.add_argument("--caps")
ap.add_argument("--tagged-bot")
ap.add_argument("--history", type=int, default=0)
ap.add_argument("--kick-once", action="store_true")
a = ap.parse_args()

T0 = time.monotonic()
log_lock = threading.Lock()
conn_count = 0

NUMERIC_TEXT = {
    433: "Nickname is \x1b[1mtaken\x07 here",
    432: "Erroneous \x1b[1mnick\x07 name",
}


def log(n, what):
    with log_lock:
        if a.stamp:
            sys.stderr.write("%.3f %d %s\n" % (time.monotonic() - T0, n, what))
        else:
            sys.stderr.write("%s\n" % what)
        sys.stderr.flush()


class Hangup(Exception):
    """The server closes the link (after an ERROR, or on QUIT)."""


class Session:
    def __init__(self, c, n):
        self.c, self.n = c, n
        self.authed = False
        self.nick = "x"   # no nick accepted yet
        self.registered = False
        self.cap_pending = False
        self.user_seen = False
        self.acked = set()
        self.joins = 0

    def send(self, b):
        self.c.sendall(b + b"\r\n")

    def hang_up(self, error):
        self.send(("ERROR :Closing Link: 127.0.0.1 (%s)" % error).encode())
        raise Hangup()

    def welcome(self):
        if a.bad_password:
            self.send(b":fake 464 * :Password \x07incorrect")
            self.hang_up("Bad password")
        if a.ban and self.n > 1:
            self.send(b":fake 465 * :You are banned from this server: \x1bspam\x07")
            self.hang_up("K-Lined")
        self.registered = True
        self.send((":fake 001 %s :welcome" % self.nick).encode())
        self.send((":fake 376 %s :end of motd" % self.nick).encode())
        if a.error_after_welcome:
            self.hang_up("Flood \x1b[0mkill\x07")

    def join(self, ch):
        nick = self.nick
        print("join %s" % ch, flush=True)
        if a.join_reply:
            self.send((":fake %03d %s %s :Cannot join channel (+b) \x1b[1mbanned\x07"
                       % (a.join_reply, nick, ch)).encode())
            return
        self.send((":%s!u@h JOIN %s" % (nick, ch)).encode())
        self.send((":fake 353 %s = %s :%s @alice" % (nick, ch, nick)).encode())
        if a.kick_on_join:
            self.send((":OP!o@h KICK %s %s :out \x1b[5mnow\x07 please" % (ch, nick)).encode())
            return
        if a.bad_lines:
            for raw in open(a.bad_lines, "rb").read().split(b"\n"):
                if raw:
                    raw = raw.decode("latin-1").encode("latin-1").decode("unicode_escape").encode("latin-1")
                    self.send(raw.replace(b"CHAN", ch.encode()).replace(b"ME", nick.encode()))
        if a.history:
            old = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() - 600))
            tag = "time=%s" % old if "server-time" in self.acked else ""
            batch = "batch" in self.acked and tag
            if batch:
                self.send(("BATCH +h%d chathistory %s" % (self.joins, ch)).encode())
                tag += ";batch=h%d" % self.joins
            for i in range(1, a.history + 1):
                self.send((("@%s " % tag if tag else "") +
                           ":carol!c@h PRIVMSG %s :history line %d" % (ch, i)).encode())
            if batch:
                self.send(("BATCH -h%d" % self.joins).encode())
        self.joins += 1
        if a.tagged_bot:
            now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
            self.send(("@bot;msgid=42;time=%s :%s!b@bots.example PRIVMSG %s "
                       ":%s, tagged words a bot said" % (now, a.tagged_bot, ch, nick)).encode())
        if a.force_join:
            for _ in range(2):
                self.send((":%s!u@h JOIN %s" % (nick, a.force_join)).encode())
                self.send((":bob!b@h PRIVMSG %s :forced words nobody asked for" % a.force_join).encode())
        self.send((":alice!a@h PRIVMSG %s :still here" % ch).encode())
        if a.kick_once and self.joins == 1:
            self.send((":OP!o@h KICK %s %s :once" % (ch, nick)).encode())
        if a.close_after_join:
            self.hang_up("bye \x1b[0mnow\x07")
        if a.ban and self.n == 1:
            self.hang_up("K-Lined")

    def line(self, line):
        w = line.split(" ")
        cmd = w[0].upper()
        arg = w[1] if len(w) > 1 else ""
        if cmd == "CAP" and arg == "LS" and a.caps is not None:
            self.cap_pending = True
            self.send((":fake CAP * LS :%s" % a.caps).encode())
        elif cmd == "CAP" and arg == "REQ" and a.caps is not None and w[2:3] != [":sasl"]:
            want = line.split(" :", 1)[1].split() if " :" in line else w[2:]
            print("cap-req %s" % " ".join(want), flush=True)
            ok = all(x in a.caps.split() for x in want)
            if ok:
                self.acked.update(want)
            self.send((":fake CAP * %s :%s" % ("ACK" if ok else "NAK", " ".join(want))).encode())
        elif cmd == "CAP" and w[1:3] == ["REQ", ":sasl"]:
            self.cap_pending = True
            self.send(b":fake CAP * ACK :sasl")
        elif cmd == "AUTHENTICATE" and arg == "PLAIN":
            self.send(b"AUTHENTICATE +")
        elif cmd == "AUTHENTICATE":
            want = base64.b64encode(("%s\0%s\0%s" % (a.user, a.user, a.password)).encode()).decode()
            if arg == want:
                self.send(b":fake 900 * * %s :You are now logged in" % a.user.encode())
                self.send(b":fake 903 * :SASL authentication successful")
                self.authed = True
            else:
                self.send(b":fake 904 * :SASL authentication failed")
        elif cmd == "NICK" and a.nick_reply and not self.registered:
            self.send((":fake %03d * %s :%s" % (a.nick_reply, arg,
                       NUMERIC_TEXT.get(a.nick_reply, "No"))).encode())
        elif cmd == "NICK":
            if a.taken and arg == a.taken and not self.registered:
                self.send((":fake 433 * %s :Nickname is already in use" % arg).encode())
            else:
                self.nick = arg
                if self.user_seen and not self.registered and not a.user and not self.cap_pending:
                    self.welcome()
        elif cmd == "USER" and not a.user and not self.cap_pending:
            self.user_seen = True
            if self.nick != "x":
                self.welcome()
        elif cmd == "USER" and a.caps is not None and not a.user:
            self.user_seen = True   # registration waits for CAP END (and NICK)
        elif cmd == "CAP" and arg == "END":
            if a.caps is not None:
                print("cap-end", flush=True)
            if a.user and not self.authed:
                self.send(b"ERROR :no SASL, no entry")
                return 1
            if a.caps is not None and not a.user:
                # like a real server: registered once NICK, USER and CAP END all came
                self.cap_pending = False
                if self.user_seen and self.nick != "x" and not self.registered:
                    self.welcome()
                return None
            self.welcome()
        elif cmd == "PRIVMSG" and len(w) >= 3 and arg.lower() == "nickserv" and a.nickserv:
            args = line.split(" :", 1)[1].split(" ") if " :" in line else []
            ok = len(args) >= 2 and args[0].upper() == "IDENTIFY" and args[-1] == a.nickserv
            who = args[1] if len(args) == 3 else self.nick
            verdict = "early" if not self.registered else "ok" if ok else "wrong"
            print("identify %s %s" % (verdict, who), flush=True)
            self.send((":NickServ!s@services NOTICE %s :%s" % (
                self.nick, "You are now identified for %s." % who if ok else "Invalid password.")).encode())
        elif cmd == "JOIN" and arg:
            self.join(arg)
        elif cmd == "PART" and arg:
            self.send((":%s!u@h PART %s" % (self.nick, arg)).encode())
        elif cmd == "PING":
            self.send((":fake PONG fake :%s" % " ".join(w[1:]).lstrip(":")).encode())
        elif cmd == "QUIT":
            self.send(b"ERROR :Closing Link: 127.0.0.1 (Quit)")
            return 0
        return None

    def drain(self):
        """Closes gracefully: FIN first, then reads (and logs) what the client
        still sends until it closes, so the kernel does not answer unread data
        with a reset that could discard the ERROR in flight."""
        try:
            self.c.shutdown(socket.SHUT_WR)
            self.c.settimeout(2)
            buf = b""
            while True:
                d = self.c.recv(4096)
                if not d:
                    break
                buf += d
                while b"\n" in buf:
                    raw, buf = buf.split(b"\n", 1)
                    log(self.n, "C: %s" % raw.rstrip(b"\r").decode("utf-8", "replace"))
        except OSError:
            pass

    def run(self):
        """Serves the client until it leaves; the exit status for one-client mode."""
        self.c.settimeout(30)
        buf = b""
        how, status = "client", 0
        try:
            while True:
                try:
                    d = self.c.recv(4096)
                except (socket.timeout, OSError):
                    break
                if not d:
                    break
                buf += d
                while b"\n" in buf:
                    raw, buf = buf.split(b"\n", 1)
                    line = raw.rstrip(b"\r").decode("utf-8", "replace")
                    log(self.n, "C: %s" % line)
                    rc = self.line(line)
                    if rc is not None:
                        raise Hangup(rc)
        except Hangup as e:
            how = "server"
            status = e.args[0] if e.args else 0
            self.drain()
        except OSError:
            pass
        if a.stamp:
            log(self.n, "closed by %s" % how)
        try:
            self.c.close()
        except OSError:
            pass
        return status


def serve(c):
    global conn_count
    with log_lock:
        conn_count += 1
        n = conn_count
    if a.stamp:
        log(n, "open")
    return Session(c, n).run()


ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", 0))
ls.listen(16)
open(a.portfile, "w").write("%d\n" % ls.getsockname()[1])
if not a.many:
    c, _ = ls.accept()
    sys.exit(serve(c))
while True:
    c, _ = ls.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
