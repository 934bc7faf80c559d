#!/usr/bin/env bash
# reconnect.sh - the server dies 12 times (5 under InspIRCd) under a talking
# channel. The server (ngircd, or InspIRCd with PURG_IRCD=inspircd) is killed
# (SIGTERM and SIGKILL in turn) and restarted on the same port; the listener
# must reconnect, rejoin and speak every line sent while it was connected, and
# a second program (tests/integration/irc_relay.c, the way personas talk:
# irc_net_add + irc_conn_say) must deliver every queued line.
# Short timers come from PURG_IRC_TIMING (see src/irc.h). Then: a frozen
# server (SIGSTOP) is detected by PING and left; a taken nick is reclaimed; a
# persona hosted by the listener rejoins after restarts and answers.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

relay_bin="$(dirname "$PURG_BIN")/tests/irc_relay"
[ -x "$relay_bin" ] || purg_fail "irc_relay not built at $relay_bin"
export PURG_IRC_TIMING="backoff_min=50,backoff_max=400,ping_idle=1000,ping_dead=1000,reclaim=500$(purg_pace)"
# 12 restarts (PURG_RESTARTS); 5 under InspIRCd, which takes ~1.2 s to start and welcome
RESTARTS=${PURG_RESTARTS:-$([ "${PURG_IRCD:-ngircd}" = inspircd ] && echo 5 || echo 12)}

purg_tmpdir
purg_start_ircd
# restart_server SIGNAL - stop the server with SIGNAL, start it again on the
# same port (ngircd and InspIRCd re-bind the listening socket at once);
# lib.sh's purg_restart_ircd works for either server.
restart_server() { purg_restart_ircd "$1"; }

purg_start_listener --nick ear --channel '#purg' --audio null
purg_wait_for 'joined #purg' "$PURG_LISTENER_ERR" 15 || purg_fail "the listener did not join"
# the relay sends 20 lines a second: under InspIRCd it uses the port without
# flood limits (what is tested here is delivery across restarts; pacing
# below InspIRCd's limits is inspircd.sh's)
# (and so paces at 20 ms, like the tests against ngircd)
PURG_IRC_TIMING="$PURG_IRC_TIMING,pace=20" purg_spawn relay "$relay_bin" "$PURG_IRC_BULK_PORT" 400 20 90

sent=0
for ((i = 1; i <= RESTARTS; i++)); do
  # the peer waits until the listener is back in the channel, then talks;
  # zed's line makes the peer confirm alice's lines were processed first
  purg_ircpeer --channel '#purg' --wait-nick ear --timeout 15 \
    --line "alice|cycle $i first" --line "alice|cycle $i second" --line "zed|cycle $i end" \
    || purg_fail "cycle $i: the test client failed (did the listener rejoin?)"
  sent=$((sent + 3))
  if (( i % 2 )); then
    restart_server TERM   # at once: the lines may still be in flight or queued for speech
  else
    purg_wait_for "<zed> .*cycle $i end" "$PURG_LISTENER_OUT" 20 || purg_fail "cycle $i not spoken"
    restart_server KILL
  fi
  purg_wait_for 'reconnected to' "$PURG_LISTENER_ERR" 15 "$i" \
    || purg_fail "the listener did not reconnect after restart $i"
done
purg_log "$RESTARTS restarts done"
purg_wait_for 'joined #purg' "$PURG_LISTENER_ERR" 15 $((RESTARTS + 1)) || purg_fail "no rejoin after the last restart"
purg_wait_for "<zed> .*cycle $RESTARTS end" "$PURG_LISTENER_OUT" 30 || purg_fail "the last cycle was not spoken"
spoken=$(purg_count '^#purg <(alice|zed)> .*cycle [0-9]+ ' "$PURG_LISTENER_OUT")
purg_assert_eq "$spoken" "$sent" "lines spoken of those sent"
for ((i = 1; i <= RESTARTS; i++)); do
  for w in "alice> .*cycle $i first" "alice> .*cycle $i second" "zed> .*cycle $i end"; do
    purg_assert_grep "$w\$" "$PURG_LISTENER_OUT" "cycle $i"
  done
done

rc=0
purg_wait relay 90 || rc=$?
cat "$PURG_TMP/relay.out" >&2
[ "$rc" -eq 0 ] || purg_fail "the relay lost lines across restarts (status $rc)"
purg_assert_grep '^heard 400 of 400' "$PURG_TMP/relay.out" "relay"
purg_log "listener spoke $spoken of $sent; relay: $(head -1 "$PURG_TMP/relay.out")"

# --- a frozen server: PING unanswered -> the link is dead -> reconnect --------
n0=$(purg_count 'reconnected to' "$PURG_LISTENER_ERR")
kill -STOP "$(purg_pid "$PURG_IRC_SERVER")"
purg_wait_for 'stopped answering' "$PURG_LISTENER_ERR" 10 || purg_fail "a frozen server was not detected"
kill -CONT "$(purg_pid "$PURG_IRC_SERVER")"
purg_wait_for 'reconnected to' "$PURG_LISTENER_ERR" 15 $((n0 + 1)) || purg_fail "no reconnect after the freeze"
purg_ircpeer --channel '#purg' --wait-nick ear --line 'alice|after the freeze' || purg_fail "client failed after the freeze"
purg_wait_for '<alice> .*after the freeze' "$PURG_LISTENER_OUT" 15 || purg_fail "not spoken after the freeze"
purg_log "frozen server detected and left"

# --- nick in use: a fallback nick, then the wanted one back -------------------
purg_stop_listener || purg_fail "listener exit status $?"
mv "$PURG_LISTENER_OUT" "$PURG_TMP/listener-1.out"; mv "$PURG_LISTENER_ERR" "$PURG_TMP/listener-1.err"
purg_forget listener
purg_ircpeer_bg squatter --nick ear --channel '#purg' --stay 3 -v
# the squatter holds 'ear' once it is in the channel (InspIRCd welcomes ~1 s late)
purg_wait_for ' 366 ' "$PURG_TMP/squatter.err" 10 || purg_fail "the squatter did not join"
purg_start_listener --nick ear --channel '#purg' --audio null
purg_wait_for 'joined #purg as ear_' "$PURG_LISTENER_ERR" 15 || purg_fail "no fallback nick while 'ear' was taken"
purg_wait squatter 20 || true
purg_ircpeer --channel '#purg' --wait-nick ear --timeout 10 --line 'alice|welcome back ear' \
  || purg_fail "the listener did not reclaim its nick"
purg_wait_for '<alice> .*welcome back ear' "$PURG_LISTENER_OUT" 15 || purg_fail "not spoken after the reclaim"
purg_stop_listener || purg_fail "listener exit status $?"
purg_log "nick reclaimed"

# --- a hosted persona comes back too: after each restart it rejoins and answers
mv "$PURG_LISTENER_OUT" "$PURG_TMP/listener-2.out"; mv "$PURG_LISTENER_ERR" "$PURG_TMP/listener-2.err"
purg_forget listener
printf '%s\n' 'the weather is nice today and the sun is out' 'i think the weather will turn to rain' \
  'rain is good for the garden and the weather' 'the garden needs sun and rain' >"$PURG_TMP/delta.txt"
cat >"$PURG_TMP/delta.ini" <<'INI'
[persona]
nick = delta
corpus = delta.txt
order = 1
channels = #purg
chattiness = 0
reply_mention = 1
think_min = 0.1
think_max = 0.3
INI
purg_start_listener --nick ear --channel '#purg' --audio null --persona "$PURG_TMP/delta.ini"
purg_wait_for 'joined #purg' "$PURG_LISTENER_ERR" 15 || purg_fail "the listener did not join"
for i in 1 2 3; do
  if (( i > 1 )); then
    restart_server $([ "$i" = 2 ] && echo TERM || echo KILL)
    purg_wait_for 'reconnected to' "$PURG_LISTENER_ERR" 15 $((i - 1)) || purg_fail "no reconnect after restart $((i - 1))"
  fi
  purg_ircpeer --channel '#purg' --wait-nick delta --timeout 15 --line "alice|delta, what about the weather? ($i)" \
    || purg_fail "delta is not back in the channel (round $i)"
  purg_wait_for '<delta> .*alice' "$PURG_LISTENER_OUT" 40 "$i" || purg_fail "delta did not answer alice (round $i)"
done
purg_stop_listener || purg_fail "listener exit status $?"
purg_log "a hosted persona rejoined and answered after 2 restarts"
purg_log "ok"
