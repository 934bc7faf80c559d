#!/usr/bin/env bash
# nickserv.sh - NickServ IDENTIFY and the secrets around it, against a
# scripted server (fakeircd.py playing NickServ):
# 1. the password from a file: "PRIVMSG NickServ :IDENTIFY <pw>" right after
#    registration and before the JOIN; the listener keeps talking;
# 2. from an environment variable while the wanted nick is taken: the
#    fallback nick identifies for the wanted one ("IDENTIFY ear <pw>");
# 3. a wrong password only costs a NOTICE; the listener stays;
# No secret (NickServ, server, SASL) ever appears in the listener's stdout or
# stderr, errors included; --password works but warns.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
purg_tmpdir

# start_fake NAME ARGS... - fakeircd.py in the background; sets $port
start_fake() {
  rm -f "$PURG_TMP/$1.port"
  purg_spawn "$1" "$PURG_PYTHON" "$PURG_INTEGRATION_DIR/fakeircd.py" "$PURG_TMP/$1.port" "${@:2}"
  for _ in $(seq 50); do [ -s "$PURG_TMP/$1.port" ] && break; sleep 0.1; done
  [ -s "$PURG_TMP/$1.port" ] || purg_fail "fakeircd $1 did not start"
  port=$(cat "$PURG_TMP/$1.port")
}
# run_listener NAME ARGS... - a listener that is expected to run
run_listener() {
  purg_forget listener
  purg_spawn "$1" "$PURG_BIN" listen --server 127.0.0.1 --port "$port" --nick ear \
    --channel '#ns' --audio null "${@:2}"
  purg_alias listener "$1"
}
# no_secret SECRET FILES... - SECRET appears in none of FILES
no_secret() {
  local s=$1 f
  shift
  for f in "$@"; do
    if grep -F -q -- "$s" "$f"; then
      purg_fail "the secret '$s' appears in ${f##*/}: $(grep -F -- "$s" "$f" | head -1)"
    fi
  done
}

# 1. from a file
secret1='s3cret-from-file'
printf '%s\n' "$secret1" >"$PURG_TMP/ns.txt"
start_fake fake1 --nickserv "$secret1"
run_listener ear1 --nickserv-password-file "$PURG_TMP/ns.txt"
purg_wait_for 'joined #ns' "$PURG_TMP/ear1.err" 15 || purg_fail "no join"
purg_wait_for '<alice> .*still here' "$PURG_TMP/ear1.out" 15 || purg_fail "not spoken after IDENTIFY"
purg_assert_grep "^C: PRIVMSG NickServ :IDENTIFY $secret1\$" "$PURG_TMP/fake1.err" "the IDENTIFY line"
purg_assert_eq "$(head -1 "$PURG_TMP/fake1.out")" "identify ok ear" "IDENTIFY after registration, before the JOIN"
purg_assert_eq "$(sed -n 2p "$PURG_TMP/fake1.out")" "join #ns" "the JOIN after IDENTIFY"
purg_stop listener || purg_fail "listener exit status $?"
no_secret "$secret1" "$PURG_TMP/ear1.out" "$PURG_TMP/ear1.err"
purg_log "IDENTIFY from a file: ok"

# 2. from a variable, the wanted nick taken; a server password on the command line warns
export PURG_NS='s3cret-from-env'
start_fake fake2 --nickserv "$PURG_NS" --taken ear
run_listener ear2 --nickserv-password-env PURG_NS --password 'serverpw-on-cmdline'
purg_wait_for 'joined #ns as ear_' "$PURG_TMP/ear2.err" 15 || purg_fail "no join with the fallback nick"
purg_wait_for '^identify ' "$PURG_TMP/fake2.out" 5 || purg_fail "no IDENTIFY with the fallback nick"
purg_assert_eq "$(head -1 "$PURG_TMP/fake2.out")" "identify ok ear" "IDENTIFY for the wanted nick"
purg_assert_grep "^C: PRIVMSG NickServ :IDENTIFY ear $PURG_NS\$" "$PURG_TMP/fake2.err" "IDENTIFY NICK PW"
purg_assert_grep '^C: PASS serverpw-on-cmdline' "$PURG_TMP/fake2.err" "the server password sent"
purg_assert_grep 'warning: --password is visible to every user' "$PURG_TMP/ear2.err" "the --password warning"
purg_stop listener || purg_fail "listener exit status $?"
no_secret "$PURG_NS" "$PURG_TMP/ear2.out" "$PURG_TMP/ear2.err"
# the warning names the option, never its value
no_secret 'serverpw-on-cmdline' "$PURG_TMP/ear2.out" "$PURG_TMP/ear2.err"
purg_log "IDENTIFY NICK PW from a variable: ok"

# 3. a wrong NickServ password: refused by NickServ, the listener stays and speaks
export PURG_NS_WRONG='not-the-s3cret'
start_fake fake3 --nickserv 'the-real-one'
run_listener ear3 --nickserv-password-env PURG_NS_WRONG
purg_wait_for '<alice> .*still here' "$PURG_TMP/ear3.out" 15 || purg_fail "not spoken after a wrong IDENTIFY"
purg_assert_eq "$(head -1 "$PURG_TMP/fake3.out")" "identify wrong ear" "the wrong password was sent and refused"
purg_running listener || purg_fail "the listener died after a wrong IDENTIFY"
purg_stop listener || purg_fail "listener exit status $?"
no_secret "$PURG_NS_WRONG" "$PURG_TMP/ear3.out" "$PURG_TMP/ear3.err"

# 4. errors never echo a secret: a SASL refusal, a server that hangs up on
#    a wrong server password, a secret file whose first line is too long
export PURG_SASL_WRONG='sasl-s3cret-wrong'
start_fake fake4 --user ear --password right
rc=0
timeout 20 "$PURG_BIN" listen --server 127.0.0.1 --port "$port" --nick ear --channel '#ns' --audio null \
  --sasl-user ear --sasl-password-env PURG_SASL_WRONG >"$PURG_TMP/sasl.out" 2>"$PURG_TMP/sasl.err" || rc=$?
[ "$rc" -eq 1 ] || purg_fail "a wrong SASL password: exit status $rc, expected 1"
purg_assert_grep 'SASL login as ear refused' "$PURG_TMP/sasl.err" "the SASL refusal"
no_secret "$PURG_SASL_WRONG" "$PURG_TMP/sasl.out" "$PURG_TMP/sasl.err"
head -c 400 /dev/zero | tr '\0' 'k' >"$PURG_TMP/long.txt"
rc=0
"$PURG_BIN" listen --server 127.0.0.1 --port 1 --channel '#ns' --audio null \
  --password-file "$PURG_TMP/long.txt" >"$PURG_TMP/long.out" 2>"$PURG_TMP/long.err" || rc=$?
[ "$rc" -ne 0 ] || purg_fail "a 400-byte password line was accepted"
purg_assert_grep 'first line is too long' "$PURG_TMP/long.err" "the long-secret error"
no_secret 'kkkkkkkkkkkkkkkk' "$PURG_TMP/long.out" "$PURG_TMP/long.err"
purg_log "ok"
