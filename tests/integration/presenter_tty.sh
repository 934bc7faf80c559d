#!/usr/bin/env bash
# presenter_tty.sh - the live view and the keys through a real terminal:
# purgatory runs in a tmux pane (keys with send-keys, the screen with
# capture-pane), real ngircd, real espeak-ng, PortAudio into the ALSA file
# device. Pause stops output, the view shows the current speaker and the
# queue, clear empties it, skip cuts the sound mid-line, mute silences only
# that nick, q quits cleanly and leaves the terminal as it was. Chat text
# with escape sequences (window title, clear screen) changes nothing.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || purg_fail "tmux not found (apt-get install tmux)"

purg_tmpdir
purg_start_ngircd
purg_alsa_file_env
export XDG_CONFIG_HOME="$PURG_TMP/xdg"
unset NO_COLOR

sock="$PURG_TMP/tmux.sock"
purg_on_exit tmux -S "$sock" kill-server
printf -v cmd '%q listen --server 127.0.0.1 --port %q --nick ear --channel %q 2>%q; echo $? >%q; stty -a >%q' \
  "$PURG_BIN" "$PURG_IRC_PORT" '#purg' "$PURG_TMP/listener.err" "$PURG_TMP/exit" "$PURG_TMP/stty.after"
stty_before=$(tmux -S "$sock" -f /dev/null new-session -d -s pres -x 110 -y 36 "stty -a >$PURG_TMP/stty.before; $cmd; sleep 30" && echo started)
[ "$stty_before" = started ] || purg_fail "tmux did not start"

screen() { tmux -S "$sock" capture-pane -p -t pres; }
keys() { tmux -S "$sock" send-keys -t pres "$@"; }
wait_screen() { # ERE SECS WHAT
  local end=$(( ${EPOCHREALTIME/./} + $2 * 1000000 ))
  while ! screen | grep -E -q -- "$1"; do
    if (( ${EPOCHREALTIME/./} >= end )); then
      screen >"$PURG_TMP/screen.log"
      purg_fail "$3: the screen never showed /$1/ (see screen.log)"
    fi
    sleep 0.1
  done
}
peer() { purg_ircpeer --channel '#purg' --wait-nick ear "$@" || purg_fail "the test client failed"; }

wait_screen 'purgatory #purg' 15 "the view did not start"
wait_screen 'keys: .*skip' 5 "no key help"
purg_wait_for 'joined #purg' "$PURG_TMP/listener.err" 15 || purg_fail "listener did not join"

long='this is a long line that goes on and on, with many words in it, so that it takes well over ten seconds to speak from the first word to the very last one, which is here'
keys Space
wait_screen 'PAUSED' 3 "space did not pause"
peer --line "alice|$long" --line 'bob|queued for later' --line 'bob|also queued'
wait_screen 'NOW <alice> \[[^]]+\] this is a long line' 10 "the current speaker is not shown"
wait_screen '<bob> queued for later' 5 "the queue is not shown"
wait_screen 'backlog [0-9.]+ s \(2 queued\)' 5 "the backlog is not shown"
sleep 1
sound_paused=$("$PURG_PYTHON" "$PURG_INTEGRATION_DIR/speechsecs.py" "$PURG_ALSA_FILE" | cut -d' ' -f1)
purg_assert_le "$sound_paused" 0.2 "seconds of sound played while paused"
keys c
wait_screen 'cleared 2 queued lines' 3 "c did not clear the queue"
wait_screen '\(0 queued\)' 3 "the queue is not empty after clear"
keys s
wait_screen 'skipped the current line' 3 "s did not skip"
keys Space
wait_screen 'resumed' 3 "space did not resume"
wait_screen 'waiting' 10 "the skipped line did not end"

keys m
wait_screen 'mute nick: _' 3 "m did not open the prompt"
keys c a r o l Enter
wait_screen 'muted: carol' 3 "carol is not shown as muted"
peer --line 'carol|carol must stay silent' --line 'dave|dave is heard'
wait_screen '<dave> dave is heard' 15 "dave's line was not spoken"
sleep 0.5
screen | grep -q 'carol must stay silent' && purg_fail "a muted nick was spoken"
# chat text that would set the window title and clear the screen on a raw
# terminal (about 3 s of speech, so the bound on sound below is 8 s, still well
# under the 10 s of the skipped long line)
# terminal: neither happens, the line is shown (cleaned), the view stays
peer --line $'dave|title \e]2;pwned\a and clear \e[2J done'
wait_screen '<dave> title .*done' 15 "the line with escapes was not shown"
title=$(tmux -S "$sock" display -p -t pres '#{pane_title}')
[[ "$title" != *pwned* ]] || purg_fail "chat text set the terminal's title: '$title'"
wait_screen 'purgatory #purg' 2 "the view's header is gone (screen cleared by chat text?)"
keys +
wait_screen 'volume 110%' 3 "+ did not raise the volume"

keys q
end=$(( ${EPOCHREALTIME/./} + 15000000 ))
while [ ! -s "$PURG_TMP/exit" ]; do
  (( ${EPOCHREALTIME/./} < end )) || purg_fail "q did not quit"
  sleep 0.1
done
purg_assert_eq "$(cat "$PURG_TMP/exit")" 0 "exit status after q"
sleep 0.3
cmp -s "$PURG_TMP/stty.before" "$PURG_TMP/stty.after" || purg_fail "the terminal settings were not restored"

read -r sound _ < <("$PURG_PYTHON" "$PURG_INTEGRATION_DIR/speechsecs.py" "$PURG_ALSA_FILE")
purg_log "sound played: ${sound}s (the long line alone is over 10 s)"
purg_assert_le "$sound" 8 "seconds of sound (alice's line skipped, carol muted, dave's two lines heard)"
purg_assert_ge "$sound" 0.5 "seconds of sound (dave's line)"
