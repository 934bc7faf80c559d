#!/usr/bin/env bash
# listen.sh - the listener end to end: a real ngircd (or InspIRCd with
# PURG_IRCD=inspircd) on loopback, three test nicks talking, `purgatory
# listen` speaking through real espeak-ng and real PortAudio into the
# file-backed ALSA device; then the same into a WAV file.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

purg_tmpdir
purg_start_ircd
purg_alsa_file_env

# --- 1. through PortAudio (ALSA file device) ----------------------------------
purg_start_listener --nick ear --channel '#purg'
purg_wait_for 'joined #purg' "$PURG_LISTENER_ERR" 15 || purg_fail "the listener did not join #purg"

# printf %b turns the \xNN escapes into mIRC colour and bold codes.
printf '%b\n' \
  'alice|hello everyone, this is the first line' \
  'bob|second line from bob' \
  'carol|\x0304,01red\x03 and \x02bold\x02 text' \
  'alice|look at https://www.example.com/some/page?x=1 please' \
  'bob|/me waves at the audience' \
  'carol|fifth line is plain' \
  'alice|the same words for everyone' \
  'bob|the same words for everyone' >"$PURG_TMP/script.txt"
purg_ircpeer --channel '#purg' --wait-nick ear --script "$PURG_TMP/script.txt" --delay 0.05 \
  || purg_fail "the test client failed"

purg_wait_for 'bob> .*the same words for everyone' "$PURG_LISTENER_OUT" 60 \
  || purg_fail "the last line was never spoken"

out="$PURG_LISTENER_OUT"
purg_assert_eq "$(grep -c '^#purg <' "$out")" 8 "utterances logged"
# in order, cleaned, each nick with its voice
expected=(
  '<alice> \[.*\] hello everyone, this is the first line$'
  '<bob> \[.*\] second line from bob$'
  '<carol> \[.*\] red and bold text$'
  '<alice> \[.*\] look at link to example dot com please$'
  '<bob> \[.*\] \* waves at the audience$'
  '<carol> \[.*\] fifth line is plain$'
  '<alice> \[.*\] the same words for everyone$'
  '<bob> \[.*\] the same words for everyone$'
)
i=0
while IFS= read -r line; do
  [[ "$line" =~ ${expected[i]} ]] || purg_fail "utterance $((i + 1)) is '$line', expected /${expected[i]}/"
  i=$((i + 1))
done < <(grep '^#purg <' "$out")
voice_of() { grep "^#purg <$1>" "$out" | head -1 | sed -E 's/.*\[([^]]*)\].*/\1/'; }
[ "$(voice_of alice)" != "$(voice_of bob)" ] || purg_fail "alice and bob got the same voice: $(voice_of alice)"
[ "$(voice_of alice)" != "$(voice_of carol)" ] || purg_fail "alice and carol got the same voice"
# nicks compare as the server compares them: ngircd says CASEMAPPING=ascii,
# so dj[m] and dj{m} are two people (under rfc1459 they would be one), each
# with a voice of their own
if [ "${PURG_IRCD:-ngircd}" = ngircd ]; then
  purg_ircpeer --channel '#purg' --wait-nick ear --line 'dj[m]|the bracket speaks' \
    --line 'dj{m}|the brace speaks' || purg_fail "the test client failed"
  purg_wait_for '<dj\{m\}> .*the brace speaks' "$out" 30 || purg_fail "dj{m}'s line was not spoken"
  purg_wait_for '<dj\[m\]> .*the bracket speaks' "$out" 5 || purg_fail "dj[m]'s line was not spoken"
  [ "$(voice_of 'dj\[m\]')" != "$(voice_of 'dj{m}')" ] \
    || purg_fail "dj[m] and dj{m}, two nicks on this server, got the same voice: $(voice_of 'dj{m}')"
fi

purg_stop_listener || purg_fail "listener exited with status $? on SIGTERM (expected 0)"

# The file device runs faster than real time and PortAudio pads underruns
# with zeros, so count the sound, not the file's length.
read -r secs rms < <(purg_audio_stats "$PURG_ALSA_FILE")
read -r sound total _ < <("$PURG_PYTHON" "$PURG_INTEGRATION_DIR/speechsecs.py" "$PURG_ALSA_FILE")
purg_log "played through ALSA: ${sound}s of sound in ${total}s, RMS $rms"
purg_assert_ge "$sound" 8 "seconds of sound played for 8 lines"
purg_assert_le "$sound" 40 "seconds of sound played for 8 lines"
purg_assert_ge "$rms" 0.005 "RMS amplitude of what was played (silence is 0)"

# --- 2. into WAV files: the same text from two nicks sounds different ----------
wav_run() { # NICK WAV
  rm -f "$PURG_TMP/listener.out" "$PURG_TMP/listener.err"
  purg_forget listener
  purg_start_listener --nick ear --channel '#purg' --output "$2"
  purg_wait_for 'joined #purg' "$PURG_LISTENER_ERR" 15 || purg_fail "the WAV listener did not join"
  purg_ircpeer --channel '#purg' --wait-nick ear --line "$1|the same words for everyone" \
    || purg_fail "the test client failed"
  purg_wait_for "<$1> .*the same words" "$PURG_LISTENER_OUT" 30 || purg_fail "$1's line was not spoken"
  purg_stop_listener || purg_fail "WAV listener exited with status $? on SIGTERM"
}
wav_run alice "$PURG_TMP/alice.wav"
wav_run bob "$PURG_TMP/bob.wav"
read -r sa ra < <(purg_wav_stats "$PURG_TMP/alice.wav") || purg_fail "alice.wav is not a valid WAV"
read -r sb rb < <(purg_wav_stats "$PURG_TMP/bob.wav") || purg_fail "bob.wav is not a valid WAV"
purg_log "alice.wav ${sa}s RMS $ra; bob.wav ${sb}s RMS $rb"
purg_assert_ge "$sa" 0.8 "alice.wav length"
purg_assert_ge "$sb" 0.8 "bob.wav length"
purg_assert_ge "$ra" 0.01 "alice.wav RMS"
purg_assert_ge "$rb" 0.01 "bob.wav RMS"
soxi "$PURG_TMP/alice.wav" | grep -q 'Channels *: 2' || purg_fail "alice.wav is not stereo"
if cmp -s "$PURG_TMP/alice.wav" "$PURG_TMP/bob.wav"; then
  purg_fail "alice and bob produced identical audio for the same text"
fi
purg_log "ok"

# --- 3. SIGHUP reloads the voices file; a bad file keeps the old mapping -------
vfile="$PURG_TMP/voices.ini"
printf '[voices]\nA = en-us+m3 40 50 170 -50\nB = en-gb-scotland+f2 64 50 150 50\n[overrides]\nalice = A\n' >"$vfile"
rm -f "$PURG_TMP/listener.out" "$PURG_TMP/listener.err"
purg_forget listener
purg_start_listener --nick ear --channel '#purg' --audio null --voices "$vfile"
purg_wait_for 'joined #purg' "$PURG_LISTENER_ERR" 15 || purg_fail "the reload listener did not join"
say() { purg_ircpeer --channel '#purg' --wait-nick ear --line "alice|$1" || purg_fail "the test client failed"; }
say 'before the reload'
purg_wait_for '<alice> \[en-us\+m3 .*before the reload' "$PURG_LISTENER_OUT" 20 \
  || purg_fail "alice was not pinned to en-us+m3"
printf '[voices]\nA = en-us+m3 40 50 170 -50\nB = en-gb-scotland+f2 64 50 150 50\n[overrides]\nalice = B\n' >"$vfile"
kill -HUP "$PURG_LISTENER_PID"
purg_wait_for 'reloaded voices' "$PURG_LISTENER_ERR" 10 || purg_fail "SIGHUP did not reload the voices"
say 'after the reload'
purg_wait_for '<alice> \[en-gb-scotland\+f2 .*after the reload' "$PURG_LISTENER_OUT" 20 \
  || purg_fail "the new pin was not used after SIGHUP"
printf '[voices]\nA = en-us+m3 40 50 170 -50\nA = en-us+m3 40 50 170 -50\n[overrides]\nalice = A\n' >"$vfile"
kill -HUP "$PURG_LISTENER_PID"
purg_wait_for 'voices.ini:[0-9]+: .*previous voices stay in force' "$PURG_LISTENER_ERR" 10 \
  || purg_fail "a bad voices file was not reported with file and line"
say 'after the bad file'
purg_wait_for '<alice> \[en-gb-scotland\+f2 .*after the bad file' "$PURG_LISTENER_OUT" 20 \
  || purg_fail "the old mapping did not stay in force after a bad reload"
purg_stop_listener || purg_fail "listener exited with status $? on SIGTERM"
purg_log "reload ok"
