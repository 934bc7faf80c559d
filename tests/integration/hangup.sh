#!/usr/bin/env bash
# hangup.sh - closing the terminal stops the talk (issue #19); reloading
# stays available. Real ngircd, real espeak-ng, PortAudio into the ALSA file
# device, the terminal a tmux pane.
#  1. listen with its live view in tmux, --record: a line is spoken, then
#     `tmux kill-session` (a closed window, a lost ssh session). The process
#     is gone within seconds, says why, the recording is a finalized WAV with
#     sound in it, and the channel saw "QUIT :purgatory signing off".
#  2. listen with its view in tmux: SIGUSR1 re-reads the voices file and it
#     keeps running; a plain `kill -HUP` stops it (with a terminal SIGHUP
#     is a hangup, not a reload).
#  3. listen without a terminal (stdin /dev/null, stdout a file, as under a
#     service manager): SIGHUP and SIGUSR1 both re-read the voices file and
#     it keeps running; SIGTERM then stops it with status 0.
#  4. demo with its view in tmux, --record: kill-session stops it the same
#     way and the recording is finalized.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || purg_fail "tmux not found (apt-get install tmux)"

purg_tmpdir
purg_start_ngircd
purg_alsa_file_env
export XDG_CONFIG_HOME="$PURG_TMP/xdg"

vfile="$PURG_TMP/voices.ini"
printf '[voices]\nA = en-us+m3 40 50 170 -50\nB = en-gb-scotland+f2 64 50 150 50\n[overrides]\nalice = A\n' >"$vfile"

sock="$PURG_TMP/tmux.sock"
purg_on_exit tmux -S "$sock" kill-server
# What the tests started inside tmux is not the test shell's child: stop it
# by its pid if a check failed before it was gone.
declare -a tty_pids=()
stop_tty_pids() {
  local p
  for p in "${tty_pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
}
purg_on_exit stop_tty_pids

# in_tmux SESSION NAME ARGS... - run "$PURG_BIN" ARGS in a new tmux session
# (110x36), as the child of the pane's shell (as from an interactive shell
# in a terminal window), stderr in $PURG_TMP/NAME.err; sets tty_pid.
in_tmux() {
  local session=$1 name=$2 cmd i
  shift 2
  rm -f "$PURG_TMP/$name.pid"
  printf -v cmd ' %q' sh -c 'echo $$ >"$0"; exec "$@"' "$PURG_TMP/$name.pid" "$PURG_BIN" "$@"
  tmux -S "$sock" -f /dev/null new-session -d -s "$session" -x 110 -y 36 \
    "$cmd 2>$(printf %q "$PURG_TMP/$name.err"); sleep 30" || purg_fail "tmux did not start"
  for i in $(seq 100); do [ -s "$PURG_TMP/$name.pid" ] && break; sleep 0.05; done
  tty_pid=$(cat "$PURG_TMP/$name.pid" 2>/dev/null) || purg_fail "$name did not start in tmux"
  tty_pids+=("$tty_pid")
}
screen() { tmux -S "$sock" capture-pane -p -t "$1"; }
wait_screen() { # SESSION ERE SECS WHAT
  local end=$(( ${EPOCHREALTIME/./} + $3 * 1000000 ))
  while ! screen "$1" | grep -E -q -- "$2"; do
    if (( ${EPOCHREALTIME/./} >= end )); then
      screen "$1" >"$PURG_TMP/screen.log" || true
      purg_fail "$4: the screen never showed /$2/ (see screen.log)"
    fi
    sleep 0.1
  done
}
# wait_gone PID SECS WHAT - PID must exit within SECS.
wait_gone() {
  local end=$(( ${EPOCHREALTIME/./} + $2 * 1000000 ))
  while _purg_alive "$1"; do
    (( ${EPOCHREALTIME/./} < end )) || purg_fail "$3: still running after $2 s"
    sleep 0.05
  done
}
# wav_ok FILE WHAT - a finalized WAV (the RIFF and data sizes written at the
# close match the file) with more than 0.2 s of audio; prints the seconds.
wav_ok() {
  "$PURG_PYTHON" - "$1" <<'EOF' || purg_fail "$2: $1 is not a finalized WAV with sound"
import os, struct, sys, wave
path = sys.argv[1]
size = os.path.getsize(path)
with open(path, "rb") as f:
    head = f.read(12)
riff, riff_size, kind = struct.unpack("<4sI4s", head)
if riff != b"RIFF" or kind != b"WAVE" or riff_size != size - 8:
    sys.exit("RIFF header says %d bytes, the file has %d: not finalized" % (riff_size, size - 8))
with wave.open(path) as w:
    secs = w.getnframes() / w.getframerate()
if secs <= 0.2:
    sys.exit("only %.3f s of audio" % secs)
print("%.2f" % secs)
EOF
}

# --- 1. the terminal closes under listen ----------------------------------------
purg_ircpeer_bg watcher -v --nick watcher --channel '#purg' --wait-nick ear --stay 120 --timeout 60
in_tmux talk ear1 listen --server 127.0.0.1 --port "$PURG_IRC_PORT" --nick ear --channel '#purg' \
  --voices "$vfile" --record "$PURG_TMP/talk.wav"
pid=$tty_pid
wait_screen talk 'purgatory #purg' 15 "the view did not start"
purg_wait_for 'joined #purg' "$PURG_TMP/ear1.err" 15 || purg_fail "the listener did not join"
purg_ircpeer --channel '#purg' --wait-nick ear --line 'alice|hello from the hangup test' \
  || purg_fail "the test client failed"
wait_screen talk '<alice> .*hello from the hangup test' 15 "the line was not spoken"
sleep 0.5
tmux -S "$sock" kill-session -t talk
wait_gone "$pid" 5 "listen after the terminal closed"
purg_log "listen gone after kill-session"
purg_assert_grep 'stopping \(hangup' "$PURG_TMP/ear1.err" "the reason for stopping"
purg_assert_no_grep 'reloaded voices' "$PURG_TMP/ear1.err" "SIGHUP with a terminal"
secs=$(wav_ok "$PURG_TMP/talk.wav" "--record after the hangup")
purg_log "recording: ${secs}s"
purg_wait_for 'watcher < :ear![^ ]* QUIT :"?purgatory signing off' "$PURG_TMP/watcher.err" 10 \
  || purg_fail "the channel did not see the listener's QUIT"

# --- 2. with a terminal: SIGUSR1 reloads, SIGHUP stops ------------------------------
in_tmux reload ear2 listen --server 127.0.0.1 --port "$PURG_IRC_PORT" --nick ear2 --channel '#purg' \
  --voices "$vfile"
pid=$tty_pid
wait_screen reload 'purgatory #purg' 15 "the view did not start"
purg_wait_for 'joined #purg' "$PURG_TMP/ear2.err" 15 || purg_fail "the second listener did not join"
kill -USR1 "$pid"
purg_wait_for 'reloaded voices' "$PURG_TMP/ear2.err" 10 || purg_fail "SIGUSR1 did not reload the voices"
sleep 0.5
_purg_alive "$pid" || purg_fail "the listener stopped on SIGUSR1"
wait_screen reload 'purgatory #purg' 2 "the view is gone after SIGUSR1"
kill -HUP "$pid"
wait_gone "$pid" 5 "listen with a terminal after SIGHUP"
purg_assert_grep 'stopping \(hangup' "$PURG_TMP/ear2.err" "the reason for stopping on SIGHUP"
purg_assert_eq "$(purg_count 'reloaded voices' "$PURG_TMP/ear2.err")" 1 "reloads (SIGUSR1 only, not SIGHUP)"
purg_log "with a terminal: SIGUSR1 reloads, SIGHUP stops"
tmux -S "$sock" kill-session -t reload 2>/dev/null || true

# --- 2b. no SIGHUP at all: the terminal failing is the hangup -----------------------
# setsid: the pane is stdin and stdout but not the controlling terminal, so
# the kernel sends no SIGHUP when it closes; the key reader's EIO/EOF and the
# view's failing writes stop the listener in the same order.
command -v setsid >/dev/null || purg_fail "setsid not found (util-linux)"
tmux -S "$sock" -f /dev/null new-session -d -s detached -x 110 -y 36 \
  "$(printf ' %q' setsid sh -c 'echo $$ >"$0"; exec "$@"' "$PURG_TMP/ear4.pid" "$PURG_BIN" listen \
     --server 127.0.0.1 --port "$PURG_IRC_PORT" --nick ear4 --channel '#purg') 2>$(printf %q "$PURG_TMP/ear4.err"); sleep 30" \
  || purg_fail "tmux did not start"
for i in $(seq 100); do [ -s "$PURG_TMP/ear4.pid" ] && break; sleep 0.05; done
pid=$(cat "$PURG_TMP/ear4.pid") || purg_fail "the setsid listener did not start"
tty_pids+=("$pid")
wait_screen detached 'purgatory #purg' 15 "the setsid listener's view did not start"
purg_wait_for 'joined #purg' "$PURG_TMP/ear4.err" 15 || purg_fail "the setsid listener did not join"
tmux -S "$sock" kill-session -t detached
wait_gone "$pid" 5 "listen (no controlling terminal) after its terminal closed"
purg_assert_grep 'stopping \(hangup' "$PURG_TMP/ear4.err" "the reason for stopping (terminal gone)"
purg_log "no controlling terminal: a failing terminal stops it"

# --- 3. without a terminal: SIGHUP reloads ------------------------------------------
purg_start_listener --nick ear3 --channel '#purg' --audio null --voices "$vfile"
purg_wait_for 'joined #purg' "$PURG_LISTENER_ERR" 15 || purg_fail "the listener without a terminal did not join"
kill -HUP "$PURG_LISTENER_PID"
purg_wait_for 'reloaded voices' "$PURG_LISTENER_ERR" 10 || purg_fail "SIGHUP without a terminal did not reload"
kill -USR1 "$PURG_LISTENER_PID"
purg_wait_for 'reloaded voices' "$PURG_LISTENER_ERR" 10 2 || purg_fail "SIGUSR1 without a terminal did not reload"
sleep 0.5
purg_running listener || purg_fail "the listener without a terminal stopped on SIGHUP or SIGUSR1"
purg_stop_listener || purg_fail "listener exited with status $? on SIGTERM"
purg_assert_no_grep 'stopping \(hangup' "$PURG_LISTENER_ERR" "SIGHUP without a terminal"
purg_log "without a terminal: SIGHUP and SIGUSR1 reload"

# --- 4. the terminal closes under demo -------------------------------------------
cat >"$PURG_TMP/corpus.txt" <<'TXT'
the server room is on fire again today
the coffee machine has a kernel panic
nobody reads the manual before the server room floods
my cat walked across the keyboard and rebooted the printer
TXT
for p in ada bob; do
  printf '[persona]\nnick = %s\ncorpus = corpus.txt\norder = 1\nchannels = #purgatory\nchattiness = 5\nreply_persona = 0.8\n' \
    "$p" >"$PURG_TMP/$p.ini"
done
in_tmux demo demo demo --persona "$PURG_TMP/ada.ini" --persona "$PURG_TMP/bob.ini" --seconds 0 \
  --seed 5 --record "$PURG_TMP/demo.wav"
pid=$tty_pid
wait_screen demo 'offline demo' 15 "the demo's view did not start"
wait_screen demo '<(ada|bob)>' 20 "no persona was spoken"
sleep 0.5
tmux -S "$sock" kill-session -t demo
wait_gone "$pid" 5 "demo after the terminal closed"
purg_assert_grep 'stopping \(hangup' "$PURG_TMP/demo.err" "the demo's reason for stopping"
secs=$(wav_ok "$PURG_TMP/demo.wav" "demo --record after the hangup")
purg_log "demo gone after kill-session; recording: ${secs}s"
