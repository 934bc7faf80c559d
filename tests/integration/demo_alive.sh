#!/usr/bin/env bash
# demo_alive.sh [SECONDS] - demo/run.sh sounds like a conversation: played in
# real time (PulseAudio null sink, recorded from its monitor with parec) for
# SECONDS (default $PURG_ALIVE_SECONDS or 25) with a fixed seed (7, or
# $PURG_ALIVE_SEED), speech fills
# at least 60% of the time (tests/integration/speechsecs.py: sound, short
# pauses inside speech included) and every bundled persona speaks.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

secs=${1:-${PURG_ALIVE_SECONDS:-25}}
seed=${PURG_ALIVE_SEED-7} # empty: no --seed (a demo/run.sh without one, for the benchmark's baseline)
purg_tmpdir
command -v parec >/dev/null || purg_fail "parec not installed (apt-get install pulseaudio-utils)"
purg_start_pulse
port=$(purg_free_port)
seedopt=()
[ -z "$seed" ] || seedopt=(--seed "$seed")
PURG_NO_DEPS=1 purg_spawn demo bash "$PURG_SOURCE_DIR/demo/run.sh" --seconds "$secs" "${seedopt[@]}" \
  --bin "$PURG_BIN" --port "$port"
# record from the moment the conversation starts
purg_wait_for 'running for' "$PURG_TMP/demo.err" 120 || purg_fail "demo/run.sh did not start"
purg_spawn rec parec -d nullsink.monitor --rate=22050 --channels=2 --format=s16le --raw \
  "$PURG_TMP/rec.raw"
purg_wait demo $((secs + 60)) || purg_fail "demo/run.sh failed; see $PURG_TMP/demo.err"
purg_stop rec
# only the SECONDS of the conversation (what was still queued at the end is not counted)
head -c $((secs * 22050 * 4)) "$PURG_TMP/rec.raw" >"$PURG_TMP/window.raw"
read -r sound total stretches < <(python3 "$PURG_INTEGRATION_DIR/speechsecs.py" "$PURG_TMP/window.raw")
fill=$(awk -v s="$sound" -v t="$secs" 'BEGIN { printf "%d", 100 * s / t }')
purg_log "speech ${sound} s of ${secs} s (${fill}%; recorded ${total} s) in ${stretches} stretches"
sed -n 's/^purgatory listen: \(bofh\|oracle\|prophet\|hacker\) said/&/p' "$PURG_TMP/demo.err" | while read -r l; do
  purg_log "$l"
done
for p in bofh oracle prophet hacker; do
  n=$(sed -n "s/^purgatory listen: $p said \([0-9]*\) .*/\1/p" "$PURG_TMP/demo.err")
  purg_assert_ge "${n:-0}" 1 "lines $p said"
done
purg_assert_ge "$fill" 60 "percent of the time filled with speech"
purg_log "ok"
