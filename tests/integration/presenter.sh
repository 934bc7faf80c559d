#!/usr/bin/env bash
# presenter.sh - the presenter's controls through the --control FIFO, the
# announce policies on scripted conversations, --record against what the
# (file-backed) sound device played, and the configuration file. Real
# ngircd, real espeak-ng, real PortAudio into the ALSA file device.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

purg_tmpdir
purg_start_ngircd
purg_alsa_file_env
export XDG_CONFIG_HOME="$PURG_TMP/xdg"   # never the user's configuration
mkdir -p "$XDG_CONFIG_HOME"

restart() { # clear the listener's logs so that it can be started again
  rm -f "$PURG_TMP/listener.out" "$PURG_TMP/listener.err"
  purg_forget listener
}
sound() { "$PURG_PYTHON" "$PURG_INTEGRATION_DIR/speechsecs.py" "$1" | cut -d' ' -f1; }
peer() { purg_ircpeer --channel '#purg' --wait-nick ear "$@" || purg_fail "the test client failed"; }
ctl() { printf '%s\n' "$1" >"$fifo"; }

# --- 1. the "X says" policies --------------------------------------------------
printf '%s\n' 'alice|one from alice' 'alice|two from alice' 'bob|three from bob' \
  'bob|/me waves at everyone' 'alice|five from alice' 'newsbot|ignore me please' \
  'carl|ignored by his hostmask' \
  'xX_r00t_Xx|six from root' >"$PURG_TMP/conv.txt"
says_run() { # POLICY -> $PURG_LISTENER_OUT holds what was spoken
  restart
  purg_start_listener --nick ear --channel '#purg' --audio null --says "$1" \
    --ignore '*bot' --ignore '*!~carl@127.0.0.*' --pronounce 'xX_r00t_Xx=the root'
  purg_wait_for 'joined #purg' "$PURG_LISTENER_ERR" 15 || purg_fail "listener did not join"
  peer --script "$PURG_TMP/conv.txt" --delay 0.05
  purg_wait_for 'six from root' "$PURG_LISTENER_OUT" 30 || purg_fail "[$1] the last line was not spoken"
  purg_stop_listener || purg_fail "listener exited with $?"
}
says_of() { grep '^#purg <' "$PURG_LISTENER_OUT" | sed -E 's/^#purg <([^>]*)> \[[^]]*\] //'; }

says_run change
mapfile -t got < <(says_of)
want=('alice says: one from alice' 'two from alice' 'bob says: three from bob'
      '* waves at everyone' 'alice says: five from alice' 'the root says: six from root')
purg_assert_eq "${#got[@]}" 6 "[change] lines spoken (newsbot and carl's hostmask are ignored)"
for i in "${!want[@]}"; do purg_assert_eq "${got[i]}" "${want[i]}" "[change] line $((i + 1))"; done

says_run always
purg_assert_eq "$(says_of | grep -c ' says: ')" 5 "[always] lines with 'X says' (actions never)"
says_run never
purg_assert_eq "$(says_of | grep -c ' says: ' || true)" 0 "[never] lines with 'X says'"

# after N seconds of silence the same speaker is named again
restart
purg_start_listener --nick ear --channel '#purg' --audio null --says 1
purg_wait_for 'joined #purg' "$PURG_LISTENER_ERR" 15 || purg_fail "listener did not join"
peer --line 'carol|first words'
purg_wait_for 'first words' "$PURG_LISTENER_OUT" 20 || purg_fail "first line not spoken"
sleep 1.5
peer --line 'carol|after a pause' --line 'carol|right after'
purg_wait_for 'right after' "$PURG_LISTENER_OUT" 20 || purg_fail "last line not spoken"
purg_assert_grep '<carol> .*carol says: first words$' "$PURG_LISTENER_OUT" "[1 s] first line"
purg_assert_grep '<carol> .*carol says: after a pause$' "$PURG_LISTENER_OUT" "[1 s] after 1.5 s of silence"
purg_assert_grep '<carol> \[[^]]*\] right after$' "$PURG_LISTENER_OUT" "[1 s] no name right after"
purg_stop_listener || purg_fail "listener exited with $?"
purg_log "announce policies ok"

# --- 2. joins announced --------------------------------------------------------
restart
purg_start_listener --nick ear --channel '#purg' --audio null --announce-joins
purg_wait_for 'joined #purg' "$PURG_LISTENER_ERR" 15 || purg_fail "listener did not join"
sleep 3.2 # past the window in which joins are the NAMES list
peer --line 'dave_|hello all'
purg_wait_for '-: dave joined' "$PURG_LISTENER_OUT" 20 || purg_fail "dave's join was not announced"
purg_wait_for '-: dave (left|quit)' "$PURG_LISTENER_OUT" 20 || purg_fail "dave's leaving was not announced"
purg_stop_listener || purg_fail "listener exited with $?"
purg_log "joins ok"

# --- 3. controls through the FIFO, recorded -----------------------------------
fifo="$PURG_TMP/control"
restart
purg_start_listener --nick ear --channel '#purg' --control "$fifo" --record "$PURG_TMP/rec.wav"
purg_wait_for 'joined #purg' "$PURG_LISTENER_ERR" 15 || purg_fail "listener did not join"
[ -p "$fifo" ] || purg_fail "the control FIFO was not created"

long='this is a long line that goes on and on, with many words in it, so that it takes well over ten seconds to speak from the first word to the very last one, which is here'
# reference: the long line played in full
peer --line "alice|$long"
purg_wait_for "<alice> .*very last one" "$PURG_LISTENER_OUT" 30 || purg_fail "long line not spoken"
sleep 1
full=$(sound "$PURG_ALSA_FILE")
purg_assert_ge "$full" 7 "seconds of sound of the whole long line"

# skip: pause, let synthesis fill the buffer, skip, resume
ctl pause
purg_wait_for 'purgatory listen: paused' "$PURG_LISTENER_ERR" 5 || purg_fail "pause not acknowledged"
peer --line "bob|$long"
purg_wait_for "<bob> .*very last one" "$PURG_LISTENER_OUT" 30 || purg_fail "bob's line was not started"
sleep 1
paused_sound=$(sound "$PURG_ALSA_FILE")
purg_assert_le "$(awk -v a="$paused_sound" -v b="$full" 'BEGIN{print a-b}')" 0.3 \
  "seconds of sound played while paused"
ctl skip
purg_wait_for 'skipped the current line' "$PURG_LISTENER_ERR" 5 || purg_fail "skip not acknowledged"
ctl resume
sleep 1.5
skipped=$(awk -v a="$(sound "$PURG_ALSA_FILE")" -v b="$full" 'BEGIN{print a-b}')
purg_log "whole line ${full}s; skipped line ${skipped}s"
purg_assert_le "$skipped" 1.2 "seconds of sound of the skipped line"

# clear: pause, queue five lines, clear, resume: at most the first is spoken
ctl pause
purg_wait_for 'purgatory listen: paused' "$PURG_LISTENER_ERR" 5 2 || purg_fail "pause not acknowledged"
q='with enough words in it to take more room than the sound buffer holds'
peer --line "carol|queued line one $q" --line "carol|queued line two $q" \
  --line "carol|queued line three $q" --line "carol|queued line four $q" --line "carol|queued line five $q"

sleep 1
ctl clear
purg_wait_for 'cleared [3-5] queued lines' "$PURG_LISTENER_ERR" 5 || purg_fail "clear did not empty the queue"
ctl resume
peer --line 'carol|after the clear'
purg_wait_for 'after the clear' "$PURG_LISTENER_OUT" 20 || purg_fail "line after clear not spoken"
purg_assert_le "$(purg_count 'queued line' "$PURG_LISTENER_OUT")" 1 "queued lines spoken after clear"

# mute silences only that nick
ctl 'mute bob'
purg_wait_for 'muted bob' "$PURG_LISTENER_ERR" 5 || purg_fail "mute not acknowledged"
peer --line 'bob|bob is muted now' --line 'alice|alice is not'
purg_wait_for 'alice is not' "$PURG_LISTENER_OUT" 20 || purg_fail "alice was not heard"
sleep 0.5
purg_assert_no_grep 'bob is muted now' "$PURG_LISTENER_OUT" "a muted nick was spoken"
ctl 'unmute bob'
peer --line 'bob|bob is back'
purg_wait_for 'bob is back' "$PURG_LISTENER_OUT" 20 || purg_fail "unmuted bob was not heard"
sleep 1

# quit through the FIFO: a clean exit that finalizes the recording
ctl quit
purg_wait listener 15 || purg_fail "quit through the FIFO: exit status $?"
purg_assert_no_grep 'recording missed' "$PURG_LISTENER_ERR" "the recording lost audio"
soxi "$PURG_TMP/rec.wav" >/dev/null 2>&1 || purg_fail "rec.wav is not a valid audio file"
# the recording is what the device played: the same frames, less the zero
# frames PortAudio pads underruns with
"$PURG_PYTHON" - "$PURG_TMP/rec.wav" "$PURG_ALSA_FILE" <<'PY' || purg_fail "the recording differs from what was played"
import array, sys, wave
with wave.open(sys.argv[1]) as w:
    assert w.getnchannels() == 2 and w.getframerate() == 22050
    rec = array.array('h', w.readframes(w.getnframes()))
played = array.array('h', open(sys.argv[2], 'rb').read())
def frames(a):
    return [(a[i], a[i + 1]) for i in range(0, len(a) - 1, 2) if a[i] or a[i + 1]]
r, p = frames(rec), frames(played)
print("recorded %d sound frames, played %d" % (len(r), len(p)), file=sys.stderr)
if not r or r != p:
    sys.exit(1)
PY
purg_log "controls and recording ok"

# --- 4. the configuration file -------------------------------------------------
mkdir -p "$XDG_CONFIG_HOME/purgatory"
cat >"$XDG_CONFIG_HOME/purgatory/config.ini" <<'INI'
; presenter defaults
[listen]
nick = cfgear
channel = #cfgone
says = always
audio = null
INI
restart
purg_start_listener --channel '#purg'          # the command line's channel replaces the file's
purg_wait_for 'joined #purg as cfgear' "$PURG_LISTENER_ERR" 15 || purg_fail "config nick/channel not used"
purg_ircpeer --channel '#purg' --wait-nick cfgear --line 'alice|configured' || purg_fail "the test client failed"
purg_wait_for 'alice says: configured' "$PURG_LISTENER_OUT" 20 || purg_fail "config 'says = always' not used"
purg_stop_listener || purg_fail "listener exited with $?"
purg_assert_no_grep 'cfgone' "$PURG_LISTENER_ERR" "the file's channel was joined too"

printf '[listen]\nnick = x\ncolour = red\n' >"$PURG_TMP/bad.ini"
rc=0; "$PURG_BIN" listen --config "$PURG_TMP/bad.ini" --server 127.0.0.1 --channel '#a' \
  2>"$PURG_TMP/bad.err" || rc=$?
purg_assert_eq "$rc" 2 "exit status for an unknown key"
purg_assert_grep "bad.ini:3: unknown key 'colour' \(see purgatory listen --help\)" "$PURG_TMP/bad.err" "unknown key message"
printf '[listen]\nport = many\n' >"$PURG_TMP/bad2.ini"
rc=0; "$PURG_BIN" listen --config "$PURG_TMP/bad2.ini" --server 127.0.0.1 --channel '#a' \
  2>"$PURG_TMP/bad2.err" || rc=$?
purg_assert_eq "$rc" 2 "exit status for a bad value"
purg_assert_grep "bad2.ini:2" "$PURG_TMP/bad2.err" "bad value names file and line"
rc=0; "$PURG_BIN" listen --config "$PURG_TMP/missing.ini" --server 127.0.0.1 --channel '#a' \
  2>"$PURG_TMP/bad3.err" || rc=$?
purg_assert_eq "$rc" 2 "exit status for a missing --config file"
purg_assert_grep "missing.ini" "$PURG_TMP/bad3.err" "missing file named"
purg_log "config ok"
