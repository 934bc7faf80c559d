#!/usr/bin/env bash
# ircv3.sh - the IRCv3 the bridge speaks for libircclient, against a scripted
# server (fakeircd.py --caps): "CAP LS 302", a request for the capabilities
# purgatory uses (message-tags, multi-prefix) and nothing else it offers,
# "CAP END", registration. A bot's message carries the `bot` tag: with
# --skip-bots it is not spoken, and without it it is (so the tag, nothing
# else, decided); tags never reach the spoken text or the log. A server
# without CAP (the other tests, ngircd) registers us as before.
# Replayed history (fakeircd --history: lines with an old server-time, with
# and without a chathistory batch) is never spoken as live; --history 2
# speaks the last two once, after "earlier in #v3:", before the live line,
# and not again when the server replays them after a kick and rejoin.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
purg_tmpdir

export PURG_IRC_TIMING="pace=20,rejoin=100"
run() { # NAME CAPS LISTENER-ARGS...
  local name=$1 caps=$2
  shift 2
  purg_spawn "fake_$name" "$PURG_PYTHON" "$PURG_INTEGRATION_DIR/fakeircd.py" "$PURG_TMP/$name.port" \
    --caps "$caps" --tagged-bot jarvis --history 5 --kick-once
  local i
  for i in $(seq 50); do [ -s "$PURG_TMP/$name.port" ] && break; sleep 0.1; done
  purg_spawn "ear_$name" "$PURG_BIN" listen --server 127.0.0.1 --port "$(cat "$PURG_TMP/$name.port")" \
    --nick ear --channel '#v3' --audio null "$@"
  purg_wait_for '<alice> .*still here' "$PURG_TMP/ear_$name.out" 15 2 \
    || purg_fail "$name: alice's line was not spoken twice (before and after the kick)"
  sleep 0.3
  purg_stop "ear_$name" || purg_fail "$name: listener exit status $?"
  cp "$PURG_TMP/ear_$name.out" "$PURG_TMP/$name.listener.out"
  purg_wait "fake_$name" 5 || true
  purg_assert_grep "^cap-req message-tags multi-prefix server-time${caps_batch:-}\$" "$PURG_TMP/fake_$name.out" \
    "$name: the capabilities requested"
  purg_assert_grep '^cap-end$' "$PURG_TMP/fake_$name.out" "$name: CAP END"
  purg_assert_no_grep 'msgid|@bot|time=' "$PURG_TMP/$name.listener.out" "$name: tags in the log"
}

caps="message-tags server-time multi-prefix away-notify"
run skip "$caps" --skip-bots
purg_assert_no_grep '<jarvis>' "$PURG_TMP/skip.listener.out" "the tagged bot spoken despite --skip-bots"
purg_assert_no_grep 'history line' "$PURG_TMP/skip.listener.out" "replayed history spoken (server-time)"
run plain "$caps"
purg_assert_grep '^#v3 <jarvis> .*tagged words a bot said' "$PURG_TMP/plain.listener.out" \
  "the tagged bot's line without --skip-bots"
purg_assert_no_grep 'history line' "$PURG_TMP/plain.listener.out" "replayed history spoken (server-time)"
caps_batch=" batch" run batch "$caps batch" --history 2
out="$PURG_TMP/batch.listener.out"
purg_assert_eq "$(grep -c 'history line' "$out")" 2 "history lines spoken with --history 2 (once, not after the rejoin)"
purg_assert_grep 'earlier in #v3:' "$out" "the introduction of the history"
order=$(grep -oE 'earlier in #v3:|history line [0-9]|still here' "$out" | head -n 4 | tr '\n' '|')
purg_assert_eq "$order" "earlier in #v3:|history line 4|history line 5|still here|" \
  "what came first: the introduction, the last two replayed lines, then the live line"
purg_log "ok"
