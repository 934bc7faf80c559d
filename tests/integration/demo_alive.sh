#!/usr/bin/env bash
# demo_alive.sh [SECONDS] - demo/run.sh sounds like a conversation: played in
# real time (a private PulseAudio server's null sink is the sound card) for
# SECONDS (default $PURG_ALIVE_SECONDS or 60, the demo's own length) with a fixed seed (7, or
# $PURG_ALIVE_SEED), speech fills at least 60% of the time and every bundled
# persona speaks. What was spoken when comes from listen --timing (each
# line's first sample played and its length): the union of those spans
# within SECONDS from the moment run.sh says the conversation runs. The
# sink's monitor is also recorded (parec) and its sound counted with
# speechsecs.py, as a check that the timing file tells the truth.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

secs=${1:-${PURG_ALIVE_SECONDS:-60}}
seed=${PURG_ALIVE_SEED-7} # empty: no --seed (a demo/run.sh without one, for the benchmark's baseline)
purg_tmpdir
command -v parec >/dev/null || purg_fail "parec not installed (apt-get install pulseaudio-utils)"
purg_start_pulse
port=$(purg_free_port)
opts=(--seconds "$secs" --timing "$PURG_TMP/timing.txt")
[ -z "$seed" ] || opts+=(--seed "$seed")
PURG_NO_DEPS=1 purg_spawn demo bash "$PURG_SOURCE_DIR/demo/run.sh" "${opts[@]}" \
  --bin "$PURG_BIN" --port "$port"
purg_wait_for 'running for' "$PURG_TMP/demo.err" 120 || purg_fail "demo/run.sh did not start"
t0=$("$PURG_PYTHON" -c 'import time; print(time.monotonic_ns())')
purg_spawn rec parec -d nullsink.monitor --rate=22050 --channels=2 --format=s16le --raw \
  "$PURG_TMP/rec.raw"
purg_wait demo $((secs + 60)) || purg_fail "demo/run.sh failed; see $PURG_TMP/demo.err"
purg_stop rec || true
[ -s "$PURG_TMP/timing.txt" ] || purg_fail "nothing was spoken (no $PURG_TMP/timing.txt)"
# timing lines: id t_recv t_queued t_first_chunk t_play frames (ns, CLOCK_MONOTONIC; 22050 Hz)
read -r spoken lines longest < <("$PURG_PYTHON" - "$PURG_TMP/timing.txt" "$t0" "$secs" <<'PY'
import sys
path, t0, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
end = t0 + int(secs * 1e9)
spans = []
for l in open(path):
    f = l.split()
    if len(f) == 6:
        a = int(f[4]); b = a + int(int(f[5]) * 1e9 / 22050)
        spans.append((max(a, t0), min(b, end)))
spans = sorted(s for s in spans if s[1] > s[0])
total, cur_a, cur_b, gaps, last = 0, None, None, [], t0
for a, b in spans:
    gaps.append(a - last)
    if cur_b is None or a > cur_b:
        if cur_b is not None:
            total += cur_b - cur_a
        cur_a, cur_b = a, b
    else:
        cur_b = max(cur_b, b)
    last = max(last, b)
if cur_b is not None:
    total += cur_b - cur_a
gaps.append(end - last)
print("%.3f %d %.1f" % (total / 1e9, len(spans), max(gaps) / 1e9))
PY
)
fill=$(awk -v s="$spoken" -v t="$secs" 'BEGIN { printf "%d", 100 * s / t }')
read -r sound _ stretches < <(python3 "$PURG_INTEGRATION_DIR/speechsecs.py" "$PURG_TMP/rec.raw")
purg_log "speech ${spoken} s of ${secs} s (${fill}%), ${lines} lines, longest silence ${longest} s" \
  "(the recording: ${sound} s of sound in ${stretches} stretches)"
for p in bofh oracle prophet hacker; do
  l=$(grep "^purgatory listen: $p said" "$PURG_TMP/demo.err" || true)
  purg_log "${l:-$p: no summary}"
  n=$(sed -n "s/^purgatory listen: $p said \([0-9]*\) .*/\1/p" "$PURG_TMP/demo.err")
  purg_assert_ge "${n:-0}" 1 "lines $p said"
done
purg_assert_ge "$fill" 60 "percent of the time filled with speech"
purg_log "ok"
