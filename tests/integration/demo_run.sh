#!/usr/bin/env bash
# demo_run.sh - the README's first command, for 10 seconds: demo/run.sh
# prepares the bundled personas, starts ngircd, hosts the personas in the
# listener, and (no sound card here) writes a non-silent demo/out/demo.wav.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

purg_tmpdir
port=$(purg_free_port)
start=${EPOCHREALTIME/./}
PURG_NO_DEPS=1 bash "$PURG_SOURCE_DIR/demo/run.sh" --seconds 10 --bin "$PURG_BIN" --port "$port" \
  >"$PURG_TMP/run.out" 2>"$PURG_TMP/run.err" || purg_fail "demo/run.sh failed (status $?)"
secs=$(( (${EPOCHREALTIME/./} - start) / 1000000 ))
purg_log "demo/run.sh took ${secs} s"
purg_assert_le "$secs" 60 "seconds demo/run.sh took"
grep -q "irssi -c 127.0.0.1 -p $port" "$PURG_TMP/run.err" || purg_fail "run.sh did not say how to join"
# each hosted persona reports what it said when the listener stops
said=$(sed -n 's/^purgatory listen: \(bofh\|oracle\|prophet\|hacker\) said \([0-9]*\) .*/\2/p' "$PURG_TMP/run.err" \
  | awk '{ s += $1 } END { print s + 0 }')
purg_assert_ge "$said" 2 "lines the bundled personas said in 10 s"
if grep -q 'writing the audio to' "$PURG_TMP/run.err"; then
  wav="$PURG_SOURCE_DIR/demo/out/demo.wav"
  read -r wsecs rms < <(purg_wav_stats "$wav") || purg_fail "$wav is not a valid WAV"
  purg_log "demo.wav: ${wsecs}s, RMS $rms"
  purg_assert_ge "$wsecs" 1 "seconds in demo.wav"
  purg_assert_ge "$rms" 0.01 "RMS amplitude of demo.wav (silence is 0)"
else
  purg_log "a sound card was found: the demo spoke through it (no WAV to check)"
fi
# ngircd was cleaned up
if pgrep -f "demo/out/ngircd/ngircd.conf" >/dev/null; then
  purg_fail "the demo's ngircd is still running"
fi
purg_log "ok"
