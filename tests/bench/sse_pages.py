#!/usr/bin/env python3
"""sse_pages.py - N caption pages for the captions benchmark (standard library only).

  sse_pages.py --port P --pages N --seconds S --out FILE [--stall K]

Opens N connections to http://127.0.0.1:P/events and reads them all until S
seconds pass (or the server closes them). Page 0 records, for each "start"
and "word" event, the CLOCK_MONOTONIC time (ns) its bytes were read, in FILE
as lines "start ID T_NS" and "word ID UPTO T_NS". With --stall K, the last K
pages send their request and then never read (stalled browsers). Prints
"pages N, closed C, bytes B" on stdout.
"""
import argparse
import json
import select
import signal
import socket
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pages", type=int, default=50)
    ap.add_argument("--seconds", type=float, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--stall", type=int, default=0)
    a = ap.parse_args()
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    socks = []
    for i in range(a.pages):
        s = socket.create_connection(("127.0.0.1", a.port), timeout=10)
        if i >= a.pages - a.stall:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.sendall(b"GET /events HTTP/1.1\r\nHost: bench\r\n\r\n")
        socks.append(s)
    reading = socks[: a.pages - a.stall]
    buf = b""
    closed = 0
    total = 0
    end = time.monotonic() + a.seconds
    with open(a.out, "w") as out:
        while reading and not stop and time.monotonic() < end:
            try:
                r, _, _ = select.select(reading, [], [], 0.5)
            except InterruptedError:
                continue
            for s in r:
                data = s.recv(65536)
                t = time.monotonic_ns()
                if not data:
                    reading.remove(s)
                    closed += 1
                    continue
                total += len(data)
                if s is not socks[0]:
                    continue
                buf += data
                while b"\n\n" in buf:
                    ev, buf = buf.split(b"\n\n", 1)
                    kind = data_line = None
                    for line in ev.split(b"\n"):
                        if line.startswith(b"event: "):
                            kind = line[7:].decode()
                        elif line.startswith(b"data: "):
                            data_line = line[6:]
                    if kind == "start":
                        d = json.loads(data_line)
                        out.write("start %d %d\n" % (d["id"], t))
                    elif kind == "word":
                        d = json.loads(data_line)
                        out.write("word %d %d %d\n" % (d["id"], d["upto"], t))
    print("pages %d, closed %d, bytes %d" % (a.pages, closed, total), flush=True)


if __name__ == "__main__":
    main()
