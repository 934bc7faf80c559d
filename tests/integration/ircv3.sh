#!/usr/bin/env bash
# ircv3.sh - the IRCv3 the bridge speaks for libircclient, against a scripted
# server (fakeircd.py --caps): "CAP LS 302", a request for the capabilities
# purgatory uses (message-tags, multi-prefix) and nothing else it offers,
# "CAP END", registration. A bot's message carries the `bot` tag: with
# --skip-bots it is not spoken, and without it it is (so the tag, nothing
# else, decided); tags never reach the spoken text or the log. A server
# without CAP (the other tests, ngircd) registers us as before.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
purg_tmpdir

run() { # NAME LISTENER-ARGS...
  local name=$1
  shift
  purg_spawn "fake_$name" "$PURG_PYTHON" "$PURG_INTEGRATION_DIR/fakeircd.py" "$PURG_TMP/$name.port" \
    --caps "message-tags server-time multi-prefix away-notify" --tagged-bot jarvis
  local i
  for i in $(seq 50); do [ -s "$PURG_TMP/$name.port" ] && break; sleep 0.1; done
  purg_spawn "ear_$name" "$PURG_BIN" listen --server 127.0.0.1 --port "$(cat "$PURG_TMP/$name.port")" \
    --nick ear --channel '#v3' --audio null "$@"
  purg_wait_for '<alice> .*still here' "$PURG_TMP/ear_$name.out" 15 \
    || purg_fail "$name: alice's line was not spoken"
  sleep 0.3
  purg_stop "ear_$name" || purg_fail "$name: listener exit status $?"
  cp "$PURG_TMP/ear_$name.out" "$PURG_TMP/$name.listener.out"
  purg_wait "fake_$name" 5 || true
  purg_assert_grep '^cap-req message-tags multi-prefix$' "$PURG_TMP/fake_$name.out" "$name: the capabilities requested"
  purg_assert_grep '^cap-end$' "$PURG_TMP/fake_$name.out" "$name: CAP END"
  purg_assert_no_grep 'msgid|@bot|time=' "$PURG_TMP/$name.listener.out" "$name: tags in the log"
}

run skip --skip-bots
purg_assert_no_grep '<jarvis>' "$PURG_TMP/skip.listener.out" "the tagged bot spoken despite --skip-bots"
run plain
purg_assert_grep '^#v3 <jarvis> .*tagged words a bot said' "$PURG_TMP/plain.listener.out" \
  "the tagged bot's line without --skip-bots"
purg_log "ok"
