#!/usr/bin/env python3
"""benchtool.py - measurement helpers for tests/bench/run.sh (standard library only).

  latency TIMING SKIP N_EMPTY N_PAUSE N_COLD BATCH
      Reads purgatory listen's --timing file ("id t_recv t_queued
      t_first_chunk t_first_sample frames", CLOCK_MONOTONIC ns) of a run that
      spoke SKIP warm-up lines, N_EMPTY lines 1 s apart, N_PAUSE lines each
      after a pause shorter than the device's idle close (stream still up),
      N_COLD pairs of lines after a longer silence (stream closed before each
      pair), then batches of BATCH lines. Prints result rows.
  naive LOG N
      One `espeak-ng --stdout` process per line of purgatory's stdout LOG
      (same voice, pitch, range, rate, text): ms from spawn to the first
      byte of audio after the 44-byte WAV header.
  intake LOG SENT
      Reads an --intake-log of an ircbench.py flood; prints received, lost,
      lag percentiles (t_queued - t_send) and the share within 100 ms.
  startup N ARGS...
      Runs ARGS N times; ms from spawn to "joined" on its stderr.
  cpu PID
      utime+stime of PID (all threads) in seconds.
"""
import os
import re
import signal
import subprocess
import sys
import time

RATE = 22050


def pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def row(name, xs, unit="ms"):
    print(f"{name}\tn={len(xs)}\tp50={pct(xs, 50):.2f}\tp95={pct(xs, 95):.2f}"
          f"\tp99={pct(xs, 99):.2f}\tmax={max(xs) if xs else float('nan'):.2f}\t{unit}")


def latency(path, skip, n_empty, n_pause, n_cold, batch):
    recs = {}
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) >= 6:
                recs[int(p[0])] = [int(x) for x in p[1:6]]
    ids = sorted(recs)
    if not ids:
        sys.exit("benchtool: no timing records")

    def lat(i):
        return (recs[i][3] - recs[i][0]) / 1e6

    def busy(i):  # the previous line was still playing when this one arrived
        p = recs.get(i - 1)
        return p is not None and recs[i][0] < p[3] + p[4] * 1e9 / RATE

    def gap(i):  # previous line's last sample -> this line's first sample
        p = recs[i - 1]
        return (recs[i][3] - (p[3] + p[4] * 1e9 / RATE)) / 1e6

    p0 = skip + n_empty
    c0 = p0 + n_pause
    base = c0 + 2 * n_cold
    empty = [i for i in ids if skip < i <= p0]
    pause = [i for i in ids if p0 < i <= c0]
    cold = [i for i in ids if c0 < i <= base and (i - c0) % 2 == 1]
    # the first batch may meet the stream the cold-start pairs left stopped
    queued = [i for i in ids if i > base + batch and (i - base - 1) % batch and i - 1 in recs]
    ok = [i for i in empty if not busy(i)]
    row("empty_queue_recv_to_first_sample", [lat(i) for i in ok])
    row("empty_queue_recv_to_queued", [(recs[i][1] - recs[i][0]) / 1e6 for i in ok])
    row("empty_queue_queued_to_first_chunk", [(recs[i][2] - recs[i][1]) / 1e6 for i in ok])
    row("empty_queue_first_chunk_to_first_sample", [(recs[i][3] - recs[i][2]) / 1e6 for i in ok])
    print(f"empty_queue_lines_excluded_busy\t{len(empty) - len(ok)}\tof {len(empty)}")
    row("after_pause_recv_to_first_sample", [lat(i) for i in pause])
    row("cold_start_recv_to_first_sample", [lat(i) for i in cold])
    row("cold_start_stall_seen_by_the_line_queued_behind", [gap(i + 1) for i in cold if i + 1 in recs])
    row("queued_prev_end_to_first_sample", [gap(i) for i in queued])
    print(f"records\t{len(ids)}")


def naive(log, n):
    pat = re.compile(r"> \[(\S+) pitch=(-?\d+) range=(-?\d+) rate=(-?\d+) pan=[-+]?\d+\] (.*)$")
    jobs = []
    with open(log) as f:
        for line in f:
            m = pat.search(line.rstrip("\n"))
            if m:
                jobs.append(m.groups())
    if not jobs:
        sys.exit("benchtool: no utterance lines in " + log)
    out = []
    for k in range(n):
        voice, pitch, rng, rate, text = jobs[k % len(jobs)]
        t0 = time.monotonic_ns()
        p = subprocess.Popen(["espeak-ng", "--stdout", "-v", voice, "-p", pitch, "-s", rate,
                              "--", text], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        got = b""
        while len(got) <= 44:  # the WAV header comes first; audio after it
            b = p.stdout.read1(65536)
            if not b:
                break
            got += b
        t1 = time.monotonic_ns()
        p.stdout.read()
        p.wait()
        if len(got) > 44:
            out.append((t1 - t0) / 1e6)
    row("naive_espeak_stdout_spawn_to_first_audio_byte", out)
    done = []
    for k in range(n):
        voice, pitch, rng, rate, text = jobs[k % len(jobs)]
        t0 = time.monotonic_ns()
        subprocess.run(["espeak-ng", "-w", "/dev/null", "-v", voice, "-p", pitch, "-s", rate,
                        "--", text], stderr=subprocess.DEVNULL, check=False)
        done.append((time.monotonic_ns() - t0) / 1e6)
    row("naive_espeak_w_spawn_to_wav_written", done)


def intake(log, sent):
    pat = re.compile(r"^(\d+) (\d+) f(\d+) (\d+) ")
    lags, mine, seen = [], [], set()
    with open(log) as f:
        for line in f:
            m = pat.match(line)
            if not m:
                continue
            seen.add(int(m.group(3)))
            lags.append((int(m.group(2)) - int(m.group(4))) / 1e6)
            mine.append((int(m.group(2)) - int(m.group(1))) / 1e6)
    within = sum(1 for x in lags if x <= 100.0)
    print(f"received {len(seen)} of {sent}, lost {sent - len(seen)}; "
          f"lag p50 {pct(lags, 50):.2f} p99 {pct(lags, 99):.2f} max {max(lags) if lags else float('nan'):.2f} ms; "
          f"within 100 ms {within}/{sent} ({100.0 * within / max(sent, 1):.3f}%); "
          f"of it in the listener (t_recv -> queued) p50 {pct(mine, 50):.3f} p99 {pct(mine, 99):.3f} ms")
    return 0 if len(seen) == sent and within == sent else 1


def startup(n, args):
    out = []
    for _ in range(n):
        t0 = time.monotonic_ns()
        p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        ok = False
        for line in p.stderr:
            if "joined" in line:
                ok = True
                break
        t1 = time.monotonic_ns()
        p.send_signal(signal.SIGTERM)
        p.communicate(timeout=20)
        if ok:
            out.append((t1 - t0) / 1e6)
        time.sleep(0.2)
    row("startup_spawn_to_joined", out)


def cpu(pid):
    with open(f"/proc/{pid}/stat") as f:  # all threads, living and ended
        st = f.read().rsplit(")", 1)[1].split()
    return (int(st[11]) + int(st[12])) / os.sysconf("SC_CLK_TCK")


def main():
    a = sys.argv[1:]
    if not a:
        sys.exit(__doc__)
    if a[0] == "latency":
        latency(a[1], *map(int, a[2:7]))
    elif a[0] == "naive":
        naive(a[1], int(a[2]))
    elif a[0] == "intake":
        sys.exit(intake(a[1], int(a[2])))
    elif a[0] == "startup":
        startup(int(a[1]), a[2:])
    elif a[0] == "cpu":
        print(f"{cpu(a[1]):.2f}")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
