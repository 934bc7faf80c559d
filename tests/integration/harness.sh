#!/usr/bin/env bash
# harness.sh - the integration harness works on its own: a real ngircd on a
# free port, ircpeer.py talking and recording in order (script, actions,
# bursts, nick collisions, timeouts), the ALSA file device, and lib.sh's
# process and audio helpers. Needs no purgatory code, so a failure here means
# the harness, not the program, is broken.
set -euo pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

purg_tmpdir

# The repository carries its own copies of the shared server and ALSA
# configurations; note drift from the shared originals when they are around.
for pair in ircd/ngircd.conf.in:ngircd.conf.in alsa/asound-file.conf:asound-file.conf; do
  shared="$PURG_SOURCE_DIR/../shared/${pair%%:*}"
  if [ -f "$shared" ] && ! cmp -s "$shared" "$PURG_INTEGRATION_DIR/${pair##*:}"; then
    purg_log "note: tests/integration/${pair##*:} differs from $shared"
  fi
done

# --- lib.sh process helpers -------------------------------------------------
purg_spawn quitter sh -c 'exit 3'
rc=0; purg_wait quitter 5 || rc=$?
purg_assert_eq "$rc" 3 "purg_wait returns the exit status"
rc=0; purg_wait quitter 5 || rc=$?
purg_assert_eq "$rc" 3 "purg_wait asked twice"
purg_spawn sleeper sleep 60
purg_running sleeper || purg_fail "purg_running: sleep 60 should be running"
rc=0; purg_stop sleeper 5 || rc=$?
purg_assert_eq "$rc" 143 "purg_stop of sleep (SIGTERM = 128+15)"
purg_running sleeper && purg_fail "purg_running: sleeper was stopped"

port=$(purg_free_port)
[[ "$port" =~ ^[0-9]+$ ]] || purg_fail "purg_free_port printed '$port'"

# --- a real IRC server and two peers -------------------------------------------
purg_start_ngircd
purg_log "ngircd pid $PURG_NGIRCD_PID on port $PURG_IRC_PORT"
[ -n "$PURG_IRC_PORT" ] || purg_fail "purg_start_ngircd set no PURG_IRC_PORT"

cat >"$PURG_TMP/script.txt" <<'EOF'
# two people talk; the recorder must hear it in this order
alice|hello, is anybody there?
bob|/me waves
alice|ünïcödé and emoji 🎉 survive
bob|//slash at the start
alice@#side|over here
bob|/notice a notice
/sleep 0.1
alice|last scripted line
EOF
n_burst=300
expected="$PURG_TMP/expected.txt"
{
  printf '%s\n' 'alice|hello, is anybody there?' 'bob|/me waves' \
    'alice|ünïcödé and emoji 🎉 survive' 'bob|/slash at the start' \
    'alice@#side|over here' 'bob|/notice a notice' 'alice|last scripted line'
  for ((i = 1; i <= n_burst; i++)); do printf 'bob|burst line %d of %d\n' "$i" "$n_burst"; done
} >"$expected"
n_expected=$(wc -l <"$expected")

heard="$PURG_TMP/heard.txt"
purg_ircpeer_bg ear --nick ear --channel '#harness' --channel '#side' \
  --record "$heard" --expect "$n_expected" --timeout 8
purg_ircpeer --channel '#harness' --wait-nick ear --script "$PURG_TMP/script.txt" \
  --burst "$n_burst" --burst-nick bob --timeout 8 \
  || purg_fail "ircpeer (the talkers) failed"
rc=0; purg_wait ear 10 || rc=$?
purg_assert_eq "$rc" 0 "exit status of the recording peer"
purg_wait_for "^bob\|burst line $n_burst of $n_burst\$" "$heard" 2
diff -u "$expected" "$heard" >&2 || purg_fail "the recorder heard something else (diff above)"

# A taken nick gets an underscore; waiting for someone absent times out.
purg_ircpeer_bg ear2 --nick ear --channel '#harness' --stay 3 --timeout 5
purg_ircpeer_bg ear3 --nick ear --channel '#harness' --stay 3 --timeout 5
rc=0
purg_ircpeer --nick prober --channel '#harness' --wait-nick ear_ --wait-nick ear \
  --wait-nick ghost --timeout 2 2>"$PURG_TMP/prober.log" || rc=$?
purg_assert_eq "$rc" 1 "ircpeer exit status when a nick never joins"
purg_assert_grep 'timeout after 2s waiting for ghost to be in #harness' "$PURG_TMP/prober.log" \
  "ircpeer's timeout message"
purg_assert_grep 'in it: .*ear_' "$PURG_TMP/prober.log" "the colliding peer renamed to ear_"
purg_stop ear2 5 || true
purg_stop ear3 5 || true

# purg_start_listener / purg_stop_listener, with a stand-in for
# "purgatory listen" that prints every channel line on stdout.
cat >"$PURG_TMP/stand-in" <<EOF
#!/usr/bin/env bash
[ "\$1" = listen ] || exit 64
shift
while [ \$# -gt 0 ]; do
  case "\$1" in
    --port) port=\$2; shift ;;
    --nick) nick=\$2; shift ;;
    --channel) chan=\$2; shift ;;
  esac
  shift
done
exec "$PURG_PYTHON" "$PURG_INTEGRATION_DIR/ircpeer.py" --port "\$port" --nick "\$nick" \\
  --channel "\$chan" --record - --stay 3600 --timeout 5
EOF
chmod +x "$PURG_TMP/stand-in"
real_bin=${PURG_BIN:-}
PURG_BIN="$PURG_TMP/stand-in"
purg_start_listener --nick lis --channel '#harness'
PURG_BIN=$real_bin
purg_ircpeer --channel '#harness' --wait-nick lis --line 'carol|one' --line 'dave|/me two' \
  || purg_fail "ircpeer could not talk to the stand-in listener"
purg_wait_for '^(carol\|one|dave\|/me two)$' "$PURG_LISTENER_OUT" 5 2
rc=0; purg_stop_listener 5 || rc=$?
purg_assert_eq "$rc" 143 "status of the stand-in listener after SIGTERM"
purg_assert_eq "$PURG_LISTENER_STATUS" 143 "PURG_LISTENER_STATUS"
t0=$SECONDS
purg_wait_for 'never said' "$PURG_LISTENER_OUT" 20 2>/dev/null \
  && purg_fail "purg_wait_for found a line that was never said"
purg_assert_le "$((SECONDS - t0))" 2 "seconds purg_wait_for waits once the listener is gone"

# --- audio through the file-backed ALSA device ------------------------------------
sox -h 2>/dev/null | grep -A1 'AUDIO DEVICE DRIVERS' | grep -qw alsa \
  || purg_fail "sox has no ALSA driver: apt-get install libsox-fmt-all (tests/packages.txt)"
purg_alsa_file_env
sox -q -n -r 22050 -c 2 -b 16 -e signed -t raw "$PURG_TMP/tone.raw" synth 1.5 sine 440 vol 0.5
read -r secs rms < <(purg_audio_stats "$PURG_TMP/tone.raw")
purg_assert_ge "$secs" 1.49 "duration of a 1.5 s raw tone"
purg_assert_le "$secs" 1.51 "duration of a 1.5 s raw tone"
purg_assert_ge "$rms" 0.34 "RMS of a sine at half scale (0.354)"
purg_assert_le "$rms" 0.37 "RMS of a sine at half scale (0.354)"
# Play it through ALSA's "default": the samples land in $PURG_ALSA_FILE.
sox -q -t raw -r 22050 -c 2 -b 16 -e signed "$PURG_TMP/tone.raw" -t alsa default \
  2>"$PURG_TMP/sox-play.log" || purg_fail "sox could not play into the ALSA file device"
read -r secs rms < <(purg_audio_stats "$PURG_ALSA_FILE")
purg_assert_ge "$secs" 1.49 "seconds that reached the ALSA file device"
purg_assert_ge "$rms" 0.33 "RMS that reached the ALSA file device"
read -r secs rms < <(purg_audio_stats "$PURG_TMP/absent.raw")
purg_assert_eq "$secs $rms" "0.000000 0.000000" "stats of a missing file"
sox -q -n -r 22050 -c 1 "$PURG_TMP/tone.wav" synth 0.25 sine 300 vol 0.25
read -r secs rms < <(purg_wav_stats "$PURG_TMP/tone.wav")
purg_assert_ge "$secs" 0.249 "duration of a 0.25 s WAV"
purg_assert_le "$rms" 0.19 "RMS of a sine at quarter scale (0.177)"

purg_log "harness ok"
