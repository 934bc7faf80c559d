#!/usr/bin/env bash
# badinput.sh - hostile text never crashes the listener.
# 1. Over ngircd: invalid UTF-8, control bytes, a 512-byte line, CTCPs other
#    than ACTION, empty-ish messages, the longest nick the server allows.
# 2. Over a scripted server (fakeircd.py) that also requires SASL PLAIN:
#    what a real server would never relay - NUL bytes, lines far over 512
#    bytes, NOTICE/PRIVMSG without text, bare numerics, numerics nobody
#    expects, a prefix and nothing else - then a normal line that must be
#    spoken. A wrong SASL password is refused with a clear error.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
purg_tmpdir
purg_start_ngircd
purg_start_listener --nick ear --channel '#bad' --audio null
purg_wait_for 'joined #bad' "$PURG_LISTENER_ERR" 15 || purg_fail "no join"
long=$(printf 'x%.0s' $(seq 480))
printf '%b\n' \
  'alice|bell\x07 escape\x1b[31m tab\tdel\x7f' \
  "alice|$long" \
  'alice|/raw PRIVMSG #bad :\x01VERSION\x01' \
  'alice|/raw PRIVMSG #bad :\x01PING 12345\x01' \
  'alice|/raw PRIVMSG #bad :\x01\x01' \
  'alice|/raw PRIVMSG #bad :\x01' \
  'alice|/raw PRIVMSG #bad :\x01ACTION\x01' \
  'alice|/raw PRIVMSG #bad :\x01ACTION \x01' \
  'alice|/raw PRIVMSG #bad : ' \
  'alice|/raw PRIVMSG #bad :' \
  'alice|/raw NOTICE #bad :\x01DCC SEND x 1 2 3\x01' \
  'alice|/raw PRIVMSG ear :private words' \
  'alice|/raw INVITE ear #elsewhere' \
  'abcdefghijklmnopqrstuvwxyz0123|a thirty-character nick speaks' \
  'alice|/nick aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' \
  'bob|the end of the bad input' >"$PURG_TMP/bad.txt"
# raw bytes the test client (UTF-8 only) cannot send: invalid UTF-8 and a NUL
purg_ircpeer --raw - <<'RAW' || purg_fail "the raw client failed"
send NICK mallory
send USER m 0 * :m
expect " 001 "
send JOIN #bad
expect " 366 "
send PRIVMSG #bad :caf\xe9 \xff\xfe\xc0\xaf broken utf-8
send PRIVMSG #bad :before\x00after the nul
send QUIT
sleep 0.5
RAW
purg_ircpeer --channel '#bad' --wait-nick ear --script "$PURG_TMP/bad.txt" --timeout 20 \
  || purg_log "note: the test client reported an error (expected for the refused nick)"
purg_wait_for '<bob> .*the end of the bad input' "$PURG_LISTENER_OUT" 30 || purg_fail "the listener stopped speaking"
purg_assert_grep '<abcdefghijklmnopqrstuvwxyz0123> ' "$PURG_LISTENER_OUT" "the 30-character nick"
purg_assert_grep '<mallory> .*broken utf-8' "$PURG_LISTENER_OUT" "the invalid UTF-8 line"
purg_assert_no_grep 'VERSION|PING 12345|DCC' "$PURG_LISTENER_OUT" "CTCP requests are not spoken"
purg_running listener || purg_fail "the listener died"
purg_stop_listener || purg_fail "listener exit status $?"
purg_log "bad input over ngircd: ok"

# --- 2. a server that sends what ngircd would not -------------------------------------
big=$(printf 'y%.0s' $(seq 3000))
printf '%s\n' \
  ':alice!a@h PRIVMSG CHAN :nul\x00byte inside' \
  ":alice!a@h PRIVMSG CHAN :$big" \
  ':alice!a@h NOTICE CHAN' \
  ':alice!a@h NOTICE' \
  ':alice!a@h PRIVMSG CHAN' \
  ':alice!a@h PRIVMSG' \
  ':fake 001' \
  ':fake 999 ME what is this' \
  ':fake 000 ME zero is no numeric to libircclient' \
  'NOT' \
  ':fake 353 ME' \
  ':fake 353 ME = CHAN' \
  ':fake 433' \
  ':fake 433 * ME :in use after all' \
  ':nothing-else' \
  ':' \
  'NICK :somebody' \
  ':alice!a@h KICK CHAN' \
  ':alice!a@h PART' \
  ':alice!a@h JOIN' \
  ':alice!a@h QUIT' \
  ':alice!a@h PRIVMSG CHAN :\x01' \
  ':alice!a@h PRIVMSG CHAN :\x01ACTION' \
  ":$big!a@h PRIVMSG CHAN :enormous nick" \
  ':alice!a@h MODE' \
  ':alice!a@h TOPIC' \
  ':alice!a@h INVITE' >"$PURG_TMP/evil.txt"
export PURG_SASL=hunter2
purg_spawn fakeircd "$PURG_PYTHON" "$PURG_INTEGRATION_DIR/fakeircd.py" "$PURG_TMP/fake.port" \
  --user ear --password hunter2 --bad-lines "$PURG_TMP/evil.txt"
for _ in $(seq 50); do [ -s "$PURG_TMP/fake.port" ] && break; sleep 0.1; done
purg_forget listener
purg_spawn listener "$PURG_BIN" listen --server 127.0.0.1 --port "$(cat "$PURG_TMP/fake.port")" \
  --nick ear --channel '#bad' --audio null --sasl-user ear --sasl-password-env PURG_SASL
purg_wait_for '<alice> .*still here' "$PURG_TMP/listener.out" 20 || purg_fail "not spoken after the hostile lines"
purg_running listener || purg_fail "the listener died"
purg_stop listener || purg_fail "listener exit status $?"
purg_log "hostile server lines and SASL: ok"

# --- 2b. escapes and bells in nicks, channel names, notices and reasons --------------
# Whatever the server sends, the listener's stdout (the log line) and stderr
# carry no ESC (0x1b) or BEL (0x07): the text is made visible (^[ ^G) first.
printf '%s\n' \
  ':ali\x1b[31mce\x07!a@h PRIVMSG CHAN :escape in the nick' \
  ':alice!a@h PRIVMSG CHAN :\x01ACTION waves \x1b]0;pwned\x07\x01' \
  ':alice!a@h NOTICE CHAN :notice \x1b]0;pwned\x07 text' \
  ':alice!a@h PRIVMSG CHAN\x1b[2J\x07 :to a channel name with escapes' \
  ':alice!a@h PRIVMSG #\x1b[5mblink\x07 :to another channel with escapes' \
  ':ME!u@h JOIN :#evil\x1b[31m\x07' \
  ':op!o@h KICK CHAN bob :reason \x1b[2J\x07 with a bell' \
  ':alice!a@h NICK :al\x1b[1mice\x07' \
  ':al\x1b[1mice\x07!a@h PRIVMSG CHAN :renamed with escapes' \
  ':fake NOTICE ME :server notice \x1b[31m\x07' \
  ':fake 404 ME CHAN :cannot send \x1b[31m\x07' >"$PURG_TMP/escapes.txt"
rm -f "$PURG_TMP/fake3.port"
purg_spawn fakeircd3 "$PURG_PYTHON" "$PURG_INTEGRATION_DIR/fakeircd.py" "$PURG_TMP/fake3.port" \
  --bad-lines "$PURG_TMP/escapes.txt"
for _ in $(seq 50); do [ -s "$PURG_TMP/fake3.port" ] && break; sleep 0.1; done
purg_forget listener
mv "$PURG_TMP/listener.out" "$PURG_TMP/listener-sasl.out"
mv "$PURG_TMP/listener.err" "$PURG_TMP/listener-sasl.err"
purg_spawn listener "$PURG_BIN" listen --server 127.0.0.1 --port "$(cat "$PURG_TMP/fake3.port")" \
  --nick ear --channel '#bad' --audio null
purg_wait_for '<alice> .*still here' "$PURG_TMP/listener.out" 20 || purg_fail "not spoken after the escapes"
purg_wait_for 'renamed with escapes' "$PURG_TMP/listener.out" 10 || purg_fail "the renamed nick was not heard"
purg_running listener || purg_fail "the listener died"
purg_stop listener || purg_fail "listener exit status $?"
for f in "$PURG_TMP/listener.out" "$PURG_TMP/listener.err"; do
  n=$(tr -cd '\033\007' < "$f" | wc -c)
  purg_assert_eq "$n" 0 "ESC/BEL bytes in $(basename "$f")"
done
# the log line shows the nick visibly (printed by speaker.c)
purg_assert_grep '<ali\^\[\[31mce\^G> ' "$PURG_TMP/listener.out" "the escaped nick, made visible"
purg_log "escapes in nicks, channels, notices, reasons: ok"

# --- 3. a wrong SASL password is refused ---------------------------------------------
rm -f "$PURG_TMP/fake2.port"
purg_spawn fakeircd2 "$PURG_PYTHON" "$PURG_INTEGRATION_DIR/fakeircd.py" "$PURG_TMP/fake2.port" --user ear --password right
for _ in $(seq 50); do [ -s "$PURG_TMP/fake2.port" ] && break; sleep 0.1; done
export PURG_SASL=wrong
rc=0
timeout 20 "$PURG_BIN" listen --server 127.0.0.1 --port "$(cat "$PURG_TMP/fake2.port")" --nick ear \
  --channel '#bad' --audio null --sasl-user ear --sasl-password-env PURG_SASL 2>"$PURG_TMP/sasl.err" || rc=$?
[ "$rc" -eq 1 ] || purg_fail "a wrong SASL password: exit status $rc, expected 1"
purg_assert_grep 'SASL login as ear refused' "$PURG_TMP/sasl.err" "the SASL refusal"
purg_log "ok"
