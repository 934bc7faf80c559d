#!/usr/bin/env python3
"""ircbench.py - IRC load for purgatory's benchmarks (standard library only).

Modes (after the common options):
  pace   --count N --interval S [--batch B] [--text short|sentence]
         N one-word lines ("yes", "okay", ...: ~0.8 s of speech each), sent in batches of B lines (default 1) back to back, one
         batch every S seconds, round-robin over the nicks. With B=1 and S
         longer than a line takes to play, every line meets an empty queue;
         with B=11, lines 2..11 of a batch wait behind 10 others.
  flood  --rate R --seconds S
         R lines/s for S seconds, spread over the nicks' connections, paced
         in 1 ms slices from pre-built buffers. Line i carries its number and
         the CLOCK_MONOTONIC time (ns) its slice was written to the socket:
         "f<i> <t_send_ns> filler", so the receiver can compute its lag.
         Prints "sent N lines in T s (R/s)" on stdout.

Common options: --host, --port, --channel, --nicks K (senders bencha,
benchb, ...: purgatory's voice map drops digits from a nick, so bench0 and
bench1 would share one voice),
--wait-nick NICK (wait until NICK has joined before sending).
"""
import argparse
import select
import socket
import sys
import time

SHORT = "yes no okay hi sure right go stop fine good".split()
WORDS = ("apple river stone cloud green quiet seven table window paper "
         "orange winter yellow little garden market silver candle").split()


class Conn:
    def __init__(self, host, port, nick):
        self.nick = nick
        self.sock = socket.create_connection((host, port), timeout=20)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.send(f"NICK {nick}\r\nUSER {nick} 0 * :{nick}\r\n")

    def send(self, s):
        self.sock.sendall(s.encode() if isinstance(s, str) else s)

    def lines(self, timeout):
        r, _, _ = select.select([self.sock], [], [], timeout)
        if not r:
            return []
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError(f"{self.nick}: server closed the connection")
        self.buf += data
        *done, self.buf = self.buf.split(b"\r\n")
        out = []
        for raw in done:
            line = raw.decode(errors="replace")
            if line.startswith("PING"):
                self.send("PONG" + line[4:] + "\r\n")
            out.append(line)
        return out

    def wait_for(self, pred, timeout, what):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for line in self.lines(0.2):
                if pred(line):
                    return line
        raise TimeoutError(f"{self.nick}: timed out waiting for {what}")


def connect_all(a):
    conns = []
    for i in range(a.nicks):
        c = Conn(a.host, a.port, "bench" + chr(ord("a") + i))
        c.wait_for(lambda l: " 001 " in l, 20, "registration")
        c.send(f"JOIN {a.channel}\r\n")
        c.wait_for(lambda l: " 366 " in l, 20, "join")
        conns.append(c)
    if a.wait_nick:
        c = conns[0]
        want = a.wait_nick.lower()
        end = time.monotonic() + 30
        while time.monotonic() < end:
            c.send(f"NAMES {a.channel}\r\n")
            line = c.wait_for(lambda l: " 353 " in l or " 366 " in l, 10, "NAMES")
            names = line.split(":", 2)[-1].split() if " 353 " in line else []
            if want in (n.lstrip("@+%").lower() for n in names):
                break
            time.sleep(0.2)
        else:
            raise TimeoutError(f"{a.wait_nick} never joined {a.channel}")
    return conns


def drain(conns):
    for c in conns:
        try:
            while c.lines(0):
                pass
        except BlockingIOError:
            pass


def pace(a, conns):
    n = 0
    t_next = time.monotonic()
    while n < a.count:
        for _ in range(min(a.batch, a.count - n)):
            c = conns[n % len(conns)]
            if a.text == "short":
                text = SHORT[n % len(SHORT)]
            else:  # a sentence of 8 words, ~2.5 s of speech
                text = " ".join(WORDS[(n + k * 3) % len(WORDS)] for k in range(8))
            c.send(f"PRIVMSG {a.channel} :{text}\r\n")
            n += 1
        t_next += a.interval
        while True:
            left = t_next - time.monotonic()
            if left <= 0:
                break
            for c in conns:  # answer PINGs, keep receive buffers empty
                c.lines(0)
            time.sleep(min(left, 0.05))
    print(f"sent {n} lines")


def flood(a, conns):
    filler = " ".join(WORDS[:6])
    prefix = [f"PRIVMSG {a.channel} :f".encode() for _ in conns]
    total = int(a.rate * a.seconds)
    t0 = time.monotonic_ns()
    sent = 0
    while sent < total:
        now = time.monotonic_ns()
        due = min(total, int((now - t0) * a.rate / 1e9) + 1)
        if due > sent:
            parts = [[] for _ in conns]
            ts = str(now).encode()
            for i in range(sent, due):
                k = i % len(conns)
                parts[k].append(prefix[k] + str(i).encode() + b" " + ts + b" " + filler.encode() + b"\r\n")
            for c, p in zip(conns, parts):
                if p:
                    c.send(b"".join(p))
            sent = due
        else:
            time.sleep(0.0005)
    dt = (time.monotonic_ns() - t0) / 1e9
    print(f"sent {sent} lines in {dt:.3f} s ({sent / dt:.0f}/s)")
    drain(conns)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--channel", default="#bench")
    p.add_argument("--nicks", type=int, default=3)
    p.add_argument("--wait-nick")
    sub = p.add_subparsers(dest="mode", required=True)
    pp = sub.add_parser("pace")
    pp.add_argument("--count", type=int, required=True)
    pp.add_argument("--interval", type=float, required=True)
    pp.add_argument("--batch", type=int, default=1)
    pp.add_argument("--text", choices=("short", "sentence"), default="short")
    pf = sub.add_parser("flood")
    pf.add_argument("--rate", type=float, required=True)
    pf.add_argument("--seconds", type=float, required=True)
    a = p.parse_args()
    conns = connect_all(a)
    if a.mode == "pace":
        pace(a, conns)
    else:
        flood(a, conns)
    for c in conns:
        c.send("QUIT :done\r\n")
    time.sleep(0.2)


if __name__ == "__main__":
    try:
        main()
    except (OSError, TimeoutError, ConnectionError) as e:
        sys.exit(f"ircbench: {e}")
