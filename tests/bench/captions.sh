#!/usr/bin/env bash
# captions.sh - what the captions server costs during a talk: two listeners
# in the same channel hear the same lines in real time (PortAudio into a
# PulseAudio null sink), one with --captions and PAGES pages connected (some
# of them stalled: they never read), one without (the baseline of the same
# run). Prints the caption delay (first sample handed to the device ->
# the start event read by a page), and each listener's CPU time and peak RSS.
#
# usage: tests/bench/captions.sh [BUILD_DIR] [MINUTES=10] [PAGES=50] [STALLED=5]
set -euo pipefail
PURG_TEST_NAME=bench-captions
. "$(dirname "$0")/../integration/lib.sh"
build=${1:-$PURG_SOURCE_DIR/build}
minutes=${2:-10} pages=${3:-50} stalled=${4:-5}
PURG_BIN=$build/purgatory
[ -x "$PURG_BIN" ] || purg_fail "build first: cmake --build $build"
BENCH_DIR=$PURG_SOURCE_DIR/tests/bench

purg_tmpdir
purg_start_ngircd
purg_start_pulse
cport=$(purg_free_port)
interval=3   # a sentence of 8 words is ~2.5 s of speech
count=$((minutes * 60 / interval))

purg_spawn capt "$PURG_BIN" listen --server 127.0.0.1 --port "$PURG_IRC_PORT" --nick capt \
  --channel '#bench' --captions "$cport" --timing "$PURG_TMP/capt.timing"
purg_spawn base "$PURG_BIN" listen --server 127.0.0.1 --port "$PURG_IRC_PORT" --nick base \
  --channel '#bench' --timing "$PURG_TMP/base.timing"
purg_wait_for 'joined #bench' "$PURG_TMP/capt.err" 20 || purg_fail "capt did not join"
purg_wait_for 'joined #bench' "$PURG_TMP/base.err" 20 || purg_fail "base did not join"
purg_spawn pages "$PURG_PYTHON" "$BENCH_DIR/sse_pages.py" --port "$cport" --pages "$pages" \
  --stall "$stalled" --seconds $((minutes * 60 + 30)) --out "$PURG_TMP/pages.txt"
sleep 1
cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hwm() { awk '/^VmHWM/ { print $2 }' "/proc/$1/status"; }
c0=$(cpu "$(purg_pid capt)") b0=$(cpu "$(purg_pid base)")
purg_log "captions bench: $count sentences $interval s apart ($minutes min), $pages pages ($stalled stalled)"
"$PURG_PYTHON" "$BENCH_DIR/ircbench.py" --port "$PURG_IRC_PORT" --channel '#bench' --wait-nick capt \
  pace --count "$count" --interval "$interval" --text sentence >/dev/null
sleep 5
c1=$(cpu "$(purg_pid capt)") b1=$(cpu "$(purg_pid base)")
tck=$(getconf CLK_TCK)
printf 'machine: %s, %s CPUs, load %s\n' "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" \
  "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'lines: capt %s, base %s\n' "$(wc -l <"$PURG_TMP/capt.timing")" "$(wc -l <"$PURG_TMP/base.timing")"
printf 'cpu s: with captions %.2f, without %.2f (ratio %.3f)\n' "$(echo "($c1 - $c0) / $tck" | bc -l)" \
  "$(echo "($b1 - $b0) / $tck" | bc -l)" "$(echo "($c1 - $c0) / ($b1 - $b0)" | bc -l)"
printf 'peak RSS KiB: with captions %s, without %s\n' "$(hwm "$(purg_pid capt)")" "$(hwm "$(purg_pid base)")"
purg_stop pages 5 || true
cat "$PURG_TMP/pages.out"
"$PURG_PYTHON" - "$PURG_TMP/capt.timing" "$PURG_TMP/pages.txt" "$PURG_TMP/base.timing" <<'PY'
import sys
def lat(path):
    d = {}
    for line in open(path):
        f = line.split()
        if len(f) == 6 and int(f[4]) > 0:
            d[int(f[0])] = (int(f[1]), int(f[4]))
    return d
capt = lat(sys.argv[1])
seen, last_word, words = {}, {}, {}
for line in open(sys.argv[2]):
    f = line.split()
    if f[0] == "start" and int(f[1]) not in seen:
        seen[int(f[1])] = int(f[2])
    elif f[0] == "word":
        last_word[int(f[1])] = int(f[3])
        words[int(f[1])] = words.get(int(f[1]), 0) + 1
delays = sorted((seen[i] - capt[i][1]) / 1e6 for i in seen if i in capt)
def pct(v, p):
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]
if delays:
    print("caption delay ms (first sample handed to the device -> start event read by a page): "
          "n %d p50 %.2f p95 %.2f p99 %.2f max %.2f min %.2f" % (len(delays), pct(delays, 50), pct(delays, 95),
                                                                  pct(delays, 99), delays[-1], delays[0]))
# words in time: the last word of a line reaches the page near the end of
# the line's sound (as a share of the line's duration), not with its start
frames = {}
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) == 6:
        frames[int(f[0])] = int(f[5])
share = sorted((last_word[i] - seen[i]) / 1e9 / (frames[i] / 22050)
               for i in last_word if i in seen and frames.get(i))
if share:
    print("words: %.1f a line; last word read by the page after %.2f (p50) / %.2f (p5) / %.2f (p95) "
          "of the line's duration" % (sum(words.values()) / len(words), pct(share, 50), pct(share, 5),
                                      pct(share, 95)))
for name, path in (("with captions", sys.argv[1]), ("without", sys.argv[3])):
    v = sorted((t1 - t0) / 1e6 for t0, t1 in lat(path).values())
    if v:
        print("t_recv -> first sample ms, %s: n %d p50 %.2f p99 %.2f" % (name, len(v), pct(v, 50), pct(v, 99)))
PY
