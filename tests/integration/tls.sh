#!/usr/bin/env bash
# tls.sh - TLS through the bridge against ngircd with a throwaway CA: the
# listener connects with --tls --tls-ca and speaks; a certificate for the
# wrong host and an untrusted CA are refused with a clear error; a plain port
# is not mistaken for TLS; --tls-insecure connects and says so loudly. Then a
# server password: wrong or missing is refused, from a file it works.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
command -v openssl >/dev/null || purg_fail "openssl not found (apt-get install openssl)"
purg_tmpdir
pki="$PURG_TMP/pki"
mkdir -p "$pki"
mkca() { openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$1" -keyout "$pki/$1.key" -out "$pki/$1.pem" 2>/dev/null; }
mkca trusted-ca
mkca evil-ca
# the server's certificate names only the address 127.0.0.1
openssl req -newkey rsa:2048 -nodes -subj "/CN=purgatory-test" -keyout "$pki/server.key" -out "$pki/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' >"$pki/ext.cnf"
openssl x509 -req -in "$pki/server.csr" -CA "$pki/trusted-ca.pem" -CAkey "$pki/trusted-ca.key" -CAcreateserial \
  -days 2 -extfile "$pki/ext.cnf" -out "$pki/server.pem" 2>/dev/null
chmod a+r "$pki"/*
tlsport=$(purg_free_port)
printf '[SSL]\n    CertFile = %s\n    KeyFile = %s\n    Ports = %s\n' "$pki/server.pem" "$pki/server.key" "$tlsport" >"$PURG_TMP/ssl.conf"
printf '[Global]\n    Password = letmein\n' >"$PURG_TMP/pass.conf"
purg_start_ngircd "$PURG_TMP/ssl.conf" "$PURG_TMP/pass.conf"
for _ in $(seq 50); do ircd_port_open "$tlsport" && break; sleep 0.1; done

run_listener() { # NAME ARGS... - start a listener that is expected to run
  purg_forget listener
  purg_spawn "$1" "$PURG_BIN" listen --nick "$1" --channel '#tls' --audio null "${@:2}"
  purg_alias listener "$1"
}
expect_refused() { # WHAT ERE ARGS... - a listener that must fail with ERE on stderr
  local rc=0
  timeout 20 "$PURG_BIN" listen --nick nope --channel '#tls' --audio null "${@:3}" \
    >"$PURG_TMP/refused.out" 2>"$PURG_TMP/refused.err" || rc=$?
  [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || purg_fail "$1: expected a refusal, exit status $rc"
  grep -Eq -- "$2" "$PURG_TMP/refused.err" || purg_fail "$1: stderr lacks /$2/: $(cat "$PURG_TMP/refused.err")"
  purg_log "$1 refused: $(grep -E -- "$2" "$PURG_TMP/refused.err" | head -1)"
}
export PURG_PASS=letmein
auth=(--password-env PURG_PASS)

# 1. the right CA, the right name: connects, joins, speaks
run_listener ear --server 127.0.0.1 --port "$tlsport" --tls --tls-ca "$pki/trusted-ca.pem" "${auth[@]}"
purg_wait_for 'joined #tls' "$PURG_TMP/ear.err" 15 || purg_fail "no TLS connection with the right CA"
# the test client's script has no PASS: its raw mode instead
purg_ircpeer --raw - <<'RAW' || purg_fail "the plain client could not talk"
send PASS letmein
send NICK alice
send USER a 0 * :a
expect " 001 "
send JOIN #tls
expect 366
send PRIVMSG #tls :hello over tls
send QUIT
sleep 0.5
RAW
purg_wait_for '<alice> .*hello over tls' "$PURG_TMP/ear.out" 15 || purg_fail "the line over TLS was not spoken"
purg_stop_listener || purg_fail "TLS listener exit status $?"
purg_log "TLS with --tls-ca: ok"

# 1b. a persona rides the listener's connection settings: TLS with the same CA
# and the server password (ngircd refuses a client without it), but not the
# listener's SASL login or NickServ password (one account each)
words=(red green blue old new quiet loud small tall warm)
for i in $(seq 200); do # varied enough that the model says new lines, not corpus lines
  printf 'the %s lantern and the %s bridge and the %s harbour glow %s\n' \
    "${words[i % 10]}" "${words[i * 7 % 10]}" "${words[i * 3 % 9]}" "${words[i * 13 % 7]}"
done >"$PURG_TMP/lantern.txt"
cat >"$PURG_TMP/lantern.ini" <<INI
[persona]
nick = lantern
corpus = lantern.txt
order = 1
channels = #tls
chattiness = 1
quiet_after = 0
rate = 60
burst = 3
max_words = 12
INI
run_listener earp --server 127.0.0.1 --port "$tlsport" --tls --tls-ca "$pki/trusted-ca.pem" "${auth[@]}" \
  --persona "$PURG_TMP/lantern.ini"
purg_wait_for 'joined #tls' "$PURG_TMP/earp.err" 15 || purg_fail "no TLS connection for the listener with a persona"
purg_wait_for '^#tls <lantern> \[' "$PURG_TMP/earp.out" 20 \
  || purg_fail "the persona's line did not reach the channel over TLS"
purg_assert_no_grep 'cannot connect|lost the connection' "$PURG_TMP/earp.err" "the persona's TLS link"
purg_stop_listener || purg_fail "TLS listener with a persona: exit status $?"
purg_log "persona over TLS with the server password: ok"

# 2. refusals, each with a clear sentence
expect_refused "wrong host name" "certificate .*not accepted: .*(hostname|host name|mismatch)" \
  --server localhost --port "$tlsport" --tls --tls-ca "$pki/trusted-ca.pem" "${auth[@]}"
expect_refused "untrusted CA" "certificate .*not accepted: .*(issuer|self.signed|unable to get)" \
  --server 127.0.0.1 --port "$tlsport" --tls --tls-ca "$pki/evil-ca.pem" "${auth[@]}"
expect_refused "system store" "certificate .*not accepted" \
  --server 127.0.0.1 --port "$tlsport" --tls "${auth[@]}"
PURG_IRC_TIMING=connect=2000,pace=20 expect_refused "plain port" "no TLS handshake|TLS handshake .*failed" \
  --server 127.0.0.1 --port "$PURG_IRC_PORT" --tls --tls-ca "$pki/trusted-ca.pem" "${auth[@]}"

# 3. --tls-insecure connects anyway and says so
run_listener careless --server localhost --port "$tlsport" --tls-insecure "${auth[@]}"
purg_wait_for 'joined #tls' "$PURG_TMP/careless.err" 15 || purg_fail "--tls-insecure did not connect"
purg_assert_grep 'WARNING: --tls-insecure' "$PURG_TMP/careless.err" "the insecure warning"
purg_stop_listener || purg_fail "insecure listener exit status $?"

# 4. server password: missing and wrong are refused; a file works; the command line warns
expect_refused "no password" "cannot connect|closed|password" --server 127.0.0.1 --port "$PURG_IRC_PORT"
export PURG_WRONG=nope
expect_refused "wrong password" "cannot connect|closed|password" --server 127.0.0.1 --port "$PURG_IRC_PORT" --password-env PURG_WRONG
printf 'letmein\n' >"$PURG_TMP/pass.txt"
run_listener filed --server 127.0.0.1 --port "$PURG_IRC_PORT" --password-file "$PURG_TMP/pass.txt"
purg_wait_for 'joined #tls' "$PURG_TMP/filed.err" 15 || purg_fail "--password-file did not log in"
purg_stop_listener || purg_fail "exit status $?"
run_listener shown --server 127.0.0.1 --port "$PURG_IRC_PORT" --password letmein
purg_wait_for 'joined #tls' "$PURG_TMP/shown.err" 15 || purg_fail "--password did not log in"
purg_assert_grep 'visible to every user' "$PURG_TMP/shown.err" "the --password warning"
purg_stop_listener || purg_fail "exit status $?"
purg_log "ok"
