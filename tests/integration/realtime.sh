#!/usr/bin/env bash
# realtime.sh - the sound-card path in real time: PortAudio through a
# PulseAudio null sink, which plays at the wall clock's pace as a sound card
# does (ALSA's file device, used by the other tests, runs far faster).
#
#   1. A burst of lines plays back to back and nothing is lost: the
#      recording (--record: what the callback played) holds exactly the
#      frames synthesized (the --timing file's counts), and it took about
#      as long as it sounds.
#   2. The synthesis thread sleeps while a line plays instead of polling for
#      room in the sample ring: its voluntary context switches stay under
#      MAX_WAKE_PER_S per second of speech (waking every 5 ms, as it once
#      did, is ~200).
#   3. A pause longer than the idle close (IDLE_WALL_S in src/audio.c): the
#      stream is closed while paused (PulseAudio's client thread is gone),
#      and on resume the rest of the line and the next line play, whole.
#   4. SIGTERM while paused in the middle of a line: the listener exits at
#      once, cleanly, with the recording finalized.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

MAX_WAKE_PER_S=${MAX_WAKE_PER_S:-50}
IDLE_WALL=$(awk '$2 == "IDLE_WALL_S" { print $3 }' "$PURG_SOURCE_DIR/src/audio.c")
[ -n "$IDLE_WALL" ] || purg_fail "IDLE_WALL_S not found in src/audio.c"

purg_tmpdir
purg_start_pulse
purg_start_ngircd
fifo=$PURG_TMP/control
purg_start_listener --nick ear --channel '#purg' --catch-up 0 --control "$fifo" \
  --timing "$PURG_TMP/timing.txt" --record "$PURG_TMP/rec.wav"
purg_wait_for 'joined #purg' "$PURG_LISTENER_ERR" 20 || purg_fail "the listener did not join"
pid=$PURG_LISTENER_PID
ctl() { printf '%s\n' "$1" >"$fifo"; }
played_s() { awk '{ f += $6 } END { printf "%.3f", f / 22050 }' "$PURG_TMP/timing.txt"; }
# wait until N lines have started playing, then for the last one to end
wait_played() {
  local i
  for i in $(seq 600); do
    [ "$(wc -l <"$PURG_TMP/timing.txt" 2>/dev/null || echo 0)" -ge "$1" ] && break
    sleep 0.1
  done
  [ "$(wc -l <"$PURG_TMP/timing.txt")" -ge "$1" ] || purg_fail "only $(wc -l <"$PURG_TMP/timing.txt") of $1 lines started playing"
  sleep "$(tail -1 "$PURG_TMP/timing.txt" | awk '{ printf "%.2f", $6 / 22050 + 0.8 }')"
}

# --- 1 and 2: three lines at once --------------------------------------------
read -r w0 _ < <(purg_thread_stat "$pid" purg-synth)
t0=${EPOCHREALTIME/./}
purg_ircpeer --channel '#purg' --wait-nick ear \
  --line 'alice|the first line of three, long enough to take a few seconds to say' \
  --line 'bob|the second line, which waits for the first one to end' \
  --line 'carol|and the third, which ends the burst' || purg_fail "the client failed"
wait_played 3
t1=${EPOCHREALTIME/./}
read -r w1 _ < <(purg_thread_stat "$pid" purg-synth)
speech=$(played_s)
wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e6 }')
wakes=$((w1 - w0))
purg_log "3 lines: ${speech}s of speech played in ${wall}s; the synth thread woke $wakes times"
purg_assert_ge "$wall" "$(awk -v s="$speech" 'BEGIN { print s * 0.9 }')" "seconds to play (real time)"
purg_assert_le "$wakes" "$(awk -v s="$wall" -v m="$MAX_WAKE_PER_S" 'BEGIN { printf "%d", s * m }')" \
  "synth thread wake-ups while the burst played"

# --- 3: a long pause in the middle of a line ---------------------------------
purg_ircpeer --channel '#purg' --wait-nick ear \
  --line 'dave|this line is paused in the middle for longer than the device stays open, then it goes on to the end' \
  || purg_fail "the client failed"
wait_for_lines() { purg_wait_for "$1" "$PURG_LISTENER_OUT" 20 || purg_fail "$2"; }
wait_for_lines '<dave> ' "dave's line was not spoken"
sleep 1
ctl pause
purg_wait_for 'purgatory listen: paused' "$PURG_LISTENER_ERR" 5 || purg_fail "pause not acknowledged"
sleep $((IDLE_WALL + 3))
threads=$(cat /proc/"$pid"/task/*/comm | tr '\n' ' ')
purg_log "paused for $((IDLE_WALL + 3))s; threads now: $threads"
[[ " $threads " != *" threaded-ml "* ]] || purg_fail "the stream stayed open through a long pause (PulseAudio's client thread is still there)"
ctl resume
purg_ircpeer --channel '#purg' --wait-nick ear --line 'erin|and this line comes after the resume' \
  || purg_fail "the client failed"
wait_played 5

synth=$(awk '{ f += $6 } END { print f }' "$PURG_TMP/timing.txt")

# --- 4: SIGTERM while paused in the middle of a line: a prompt, clean exit ---
purg_ircpeer --channel '#purg' --wait-nick ear \
  --line 'frank|and this last line is paused halfway, and then the listener is told to stop for the night' \
  || purg_fail "the client failed"
wait_for_lines '<frank> ' "frank's line was not spoken"
sleep 1
ctl pause
purg_wait_for 'purgatory listen: paused' "$PURG_LISTENER_ERR" 5 2 || purg_fail "the second pause was not acknowledged"
purg_stop_listener 10 || purg_fail "SIGTERM while paused: exit status $? (124: it did not exit)"
purg_assert_no_grep 'recording missed' "$PURG_LISTENER_ERR" "the recording lost audio"
rec=$("$PURG_PYTHON" -c 'import sys, wave; print(wave.open(sys.argv[1]).getnframes())' "$PURG_TMP/rec.wav")
purg_log "recorded $rec frames; the first five lines are $synth frames, frank's was cut by the stop"
purg_assert_ge "$rec" "$synth" "frames recorded: all of the first five lines"
purg_assert_le "$rec" "$(awk '{ f += $6 } END { print f }' "$PURG_TMP/timing.txt")" "frames recorded: at most every line"
purg_log "ok"
