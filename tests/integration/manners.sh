#!/usr/bin/env bash
# manners.sh - the listener behaves well on the wire against a hostile
# server (fakeircd.py in its hostile modes, timers shortened through
# PURG_IRC_TIMING), one scenario each:
#  1. 433 to every NICK: alternatives ear_ ear__ ear___ ear1 ... at doubling
#     delays (a bounded number of NICKs), the server's text in each message;
#  2. 432 to every NICK: exits non-zero at once, having sent one NICK;
#  3. kicked on every JOIN: rejoins at doubling delays, stays out after 5
#     kicks in a row (exactly 5 JOINs); a hosted persona (max_kicks = 2)
#     stays out after 2;
#  4. ESC and BEL in nicks, channels, INVITE, kick reasons, NOTICEs and
#     ERROR text: shown as ^[ and ^G, never raw (checked in every scenario);
#  5. ERROR and close right after 001: the reconnect delay grows (it is not
#     reset at registration), the ERROR text is shown;
#  6. a ban (465): exits non-zero; with --retry-banned it keeps reconnecting;
#  7. a bad password (464): exits non-zero with the server's text;
#  8. 474 to every JOIN: the reason shown, JOINs retried at doubling delays;
#  9. a JOIN the server forces: reported, left with one PART, not heard;
# 10. SIGTERM: the server gets "QUIT :purgatory signing off" before the
#     link closes.
# Client lines are counted from fakeircd's stamped log ("<secs> <conn> C: <line>").
set -euo pipefail
. "$(dirname "$0")/lib.sh"
purg_tmpdir
NICK_MS=200 BACKOFF_MIN=100 BACKOFF_MAX=800 REJOIN_MS=100
export PURG_IRC_TIMING="nick=$NICK_MS,backoff_min=$BACKOFF_MIN,backoff_max=$BACKOFF_MAX,rejoin=$REJOIN_MS,kick_reset=5000,stable=2000,connect=3000,pace=20"

# start_fake NAME ARGS... - fakeircd.py --many --stamp in the background; sets $port
start_fake() {
  rm -f "$PURG_TMP/$1.port"
  purg_spawn "$1" "$PURG_PYTHON" "$PURG_INTEGRATION_DIR/fakeircd.py" "$PURG_TMP/$1.port" \
    --many --stamp "${@:2}"
  for _ in $(seq 50); do [ -s "$PURG_TMP/$1.port" ] && break; sleep 0.1; done
  [ -s "$PURG_TMP/$1.port" ] || purg_fail "fakeircd $1 did not start"
  port=$(cat "$PURG_TMP/$1.port")
}
# run_listener NAME ARGS... - the listener on the fake server (nick ear, #chan)
run_listener() {
  purg_forget listener
  purg_spawn "$1" "$PURG_BIN" listen --server 127.0.0.1 --port "$port" --nick ear \
    --channel '#chan' --audio null "${@:2}"
  purg_alias listener "$1"
}
# no_raw_ctrl FILES... - no ESC or BEL byte in any of FILES
no_raw_ctrl() {
  local f n
  for f in "$@"; do
    n=$(LC_ALL=C grep -c $'\x1b' "$f") || true
    [ "${n:-0}" -eq 0 ] || purg_fail "${f##*/} has $n line(s) with a raw ESC"
    n=$(LC_ALL=C grep -c $'\x07' "$f") || true
    [ "${n:-0}" -eq 0 ] || purg_fail "${f##*/} has $n line(s) with a raw BEL"
  done
}
# client_times LOG ERE - the times of the client lines matching ERE (after "C: ")
client_times() {
  awk -v re="$2" '$3 == "C:" { l = $0; sub(/^[^ ]+ [^ ]+ C: /, "", l); if (l ~ re) print $1 }' "$1"
}
# opens LOG - the times connections were opened
opens() { awk '$3 == "open" { print $1 }' "$1"; }
# sched_count WINDOW_S AT_ONCE FIRST_MS - how many events a schedule allows
# within WINDOW_S seconds: AT_ONCE at the start, then delays of FIRST_MS
# doubling up to BACKOFF_MAX; one more for timing slack.
sched_count() {
  awk -v w="$1" -v n="$2" -v d="$3" -v max="$BACKOFF_MAX" 'BEGIN {
    t = 0; while (t + d / 1000 <= w) { t += d / 1000; n++; d = (2 * d > max) ? max : 2 * d }
    print n + 1 }'
}
# check_gaps WHAT JITTER "TIMES" "EXPECTED_MS..." - the gaps between
# successive TIMES match the expected delays (within JITTER, a fraction,
# plus scheduling slack); prints the gaps in ms.
check_gaps() {
  local what=$1 jit=$2 times=$3 want=$4 out
  out=$(awk -v ts="$times" -v ws="$want" -v j="$jit" 'BEGIN {
    nt = split(ts, t, " "); nw = split(ws, w, " ")
    if (nt < nw + 1) { printf "only %d events, want %d", nt, nw + 1; exit 1 }
    for (i = 1; i <= nw; i++) {
      g = (t[i + 1] - t[i]) * 1000; s = s sprintf("%s%.0f", i > 1 ? " " : "", g)
      if (g < w[i] * (1 - j) - 20 || g > w[i] * (1 + j) + 150) bad = bad sprintf(" gap %d: %.0f ms, want %d", i, g, w[i])
    }
    print s; if (bad != "") { print bad; exit 1 } }') || purg_fail "$what: $out"
  printf '%s\n' "$out"
}
secs_since() { awk -v a="$1" -v b="${EPOCHREALTIME/./}" 'BEGIN { printf "%.2f", (b - a) / 1e6 }'; }

# --- 1. every nick is in use --------------------------------------------------------------
start_fake f1 --nick-reply 433
run_listener l1
sleep 3.2
purg_running l1 || purg_fail "the listener gave up on taken nicks"
purg_stop l1 || purg_fail "listener exit status $?"
mapfile -t nicks < <(awk '$3 == "C:" && $4 == "NICK" { print $5 }' "$PURG_TMP/f1.err")
purg_assert_eq "${nicks[*]:0:5}" "ear ear_ ear__ ear___ ear1" "the nick alternatives"
t_first=$(client_times "$PURG_TMP/f1.err" '^NICK ' | head -1)
n3=$(client_times "$PURG_TMP/f1.err" '^NICK ' | awk -v t0="$t_first" '$1 - t0 <= 3 { n++ } END { print n + 0 }')
bound=$(sched_count 3 2 "$NICK_MS")
purg_assert_le "$n3" "$bound" "NICKs in the first 3 s (schedule: 2 at once, then $NICK_MS ms doubling to $BACKOFF_MAX)"
purg_assert_ge "$n3" 5 "NICKs in the first 3 s (it keeps trying)"
gaps=$(check_gaps "delays between nick alternatives" 0 \
  "$(client_times "$PURG_TMP/f1.err" '^NICK ' | sed -n '2,6p' | tr '\n' ' ')" "200 400 800 800")
purg_assert_grep 'nick ear is in use on 127\.0\.0\.1 \(the server said: Nickname is \^\[\[1mtaken\^G here\); trying ear_ now$' \
  "$PURG_TMP/l1.err" "the 433 text in the message"
purg_assert_grep 'nick ear__ is in use .*trying ear___ in 0\.4 s' "$PURG_TMP/l1.err" "the growing delay in the message"
no_raw_ctrl "$PURG_TMP/l1.out" "$PURG_TMP/l1.err"
purg_log "1. taken nicks: $n3 NICKs in 3 s (bound $bound), gaps ${gaps} ms: ok"

# --- 2. the nick is refused -----------------------------------------------------------------
start_fake f2 --nick-reply 432
t0=${EPOCHREALTIME/./}
run_listener l2
rc=0
purg_wait l2 5 || rc=$?
took=$(secs_since "$t0")
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || purg_fail "a refused nick: exit status $rc, expected an error"
purg_assert_le "$took" 2.5 "seconds until the listener gave up on a refused nick"
purg_assert_grep 'refuses the nick ear \(432: Erroneous \^\[\[1mnick\^G name\)' "$PURG_TMP/l2.err" "the 432 message"
n=$(purg_count ' C: NICK ' "$PURG_TMP/f2.err")
purg_assert_le "$n" 2 "NICKs sent to a server that refuses the nick"
no_raw_ctrl "$PURG_TMP/l2.out" "$PURG_TMP/l2.err"
purg_log "2. refused nick: exit $rc after ${took} s, $n NICK(s): ok"

# --- 3. kicked on every JOIN (the listener and a persona) ------------------------------------
for i in $(seq 20); do echo "line $i of a small corpus about rivers and stones and the sea"; done >"$PURG_TMP/corpus.txt"
cat >"$PURG_TMP/alpha.ini" <<INI
[persona]
nick = alpha
corpus = corpus.txt
channels = #chan
chattiness = 0
max_kicks = 2
INI
start_fake f3 --kick-on-join
run_listener l3 --persona "$PURG_TMP/alpha.ini"
purg_wait_for 'ear was kicked .*staying out of #chan until restart' "$PURG_TMP/l3.err" 8 \
  || purg_fail "the listener did not stop rejoining"
purg_wait_for 'alpha was kicked .*staying out of #chan until restart' "$PURG_TMP/l3.err" 3 \
  || purg_fail "the persona did not stop rejoining"
sleep 2   # nothing more should come
purg_running l3 || purg_fail "the listener died"
joins() {
  awk -v who="$1" '$3 == "C:" && $4 == "NICK" { nick[$2] = $5 }
    $3 == "C:" && $4 == "JOIN" && nick[$2] == who { n++ } END { print n + 0 }' "$PURG_TMP/f3.err"
}
purg_assert_eq "$(joins ear)" 5 "JOINs of the listener, kicked every time"
purg_assert_eq "$(joins alpha)" 2 "JOINs of the persona (max_kicks = 2)"
gaps=$(check_gaps "rejoin delays" 0 "$(awk '$3 == "C:" && $4 == "NICK" { nick[$2] = $5 }
  $3 == "C:" && $4 == "JOIN" && nick[$2] == "ear" { printf "%s ", $1 }' "$PURG_TMP/f3.err")" "100 200 400 800")
purg_assert_grep 'ear was kicked from #chan by OP \(out \^\[\[5mnow\^G please\); rejoining in 0\.1 s' \
  "$PURG_TMP/l3.err" "the kick message with the reason made visible"
purg_assert_grep 'ear was kicked from #chan by OP \(out \^\[\[5mnow\^G please\), 5 times in a row; staying out of #chan until restart' \
  "$PURG_TMP/l3.err" "the last kick"
purg_stop l3 || purg_fail "listener exit status $?"
no_raw_ctrl "$PURG_TMP/l3.out" "$PURG_TMP/l3.err"
purg_log "3. kicks: ear 5 JOINs (gaps $gaps ms), alpha 2 JOINs: ok"

# --- 4. control bytes everywhere ------------------------------------------------------------
cat >"$PURG_TMP/evil.txt" <<'EOF2'
:ev\x1bil!e@h INVITE ME #x\x07y
:b\x07ell!b@h PRIVMSG CHAN :hello \x1b[31mred\x07 text
:ev\x1bil!e@h NOTICE ME :notice \x1b[1mbold\x07
:ev\x1bil!e@h NOTICE CHAN :channel notice \x1b\x07
:OP!o@h KICK CHAN alice :kick \x1breason\x07
:alice!a@h NICK :al\x1bice
:al\x1bice!a@h PRIVMSG CHAN :after \x1b the nick change
:ME!u@h JOIN #e\x07vil
:ev\x1bil!e@h PRIVMSG #x\x07y :nope
:ev\x1bil!e@h KICK #e\x07vil ME :\x1b\x07
:ev\x1bil!e@h TOPIC CHAN :topic \x1b\x07
:fake 474 ME #b\x07ad :Cannot \x1bjoin\x07
EOF2
start_fake f4 --bad-lines "$PURG_TMP/evil.txt" --close-after-join
run_listener l4 --persona "$PURG_TMP/alpha.ini"
purg_wait_for 'alpha ignored an invitation to #x\^Gy from ev\^\[il' "$PURG_TMP/l4.err" 8 \
  || purg_fail "the persona did not report the invitation"
purg_wait_for 'lost the connection .*the server said: ERROR Closing Link: 127\.0\.0\.1 \(bye \^\[\[0mnow\^G\)' \
  "$PURG_TMP/l4.err" 8 || purg_fail "the ERROR text was not shown"
purg_wait_for '<alice> .*still here' "$PURG_TMP/l4.out" 5 || purg_fail "the listener stopped speaking"
purg_assert_grep 'the server put ear in #e\^Gvil' "$PURG_TMP/l4.err" "the forced join, made visible"
purg_stop l4 || purg_fail "listener exit status $?"
no_raw_ctrl "$PURG_TMP/l4.out" "$PURG_TMP/l4.err"
purg_log "4. control bytes: none raw on stdout or stderr: ok"

# --- 5. ERROR and close right after registration ---------------------------------------------
start_fake f5 --error-after-welcome
run_listener l5
sleep 3.3
purg_running l5 || purg_fail "the listener gave up"
purg_stop l5 || purg_fail "listener exit status $?"
gaps=$(check_gaps "reconnect delays" 0.25 "$(opens "$PURG_TMP/f5.err" | tr '\n' ' ')" "100 200 400 800")
nconn=$(opens "$PURG_TMP/f5.err" | wc -l)
bound=$(sched_count 3.3 1 "$BACKOFF_MIN")
purg_assert_le "$nconn" "$((bound + 1))" "connections in 3.3 s"
purg_assert_grep 'ear lost the connection to 127\.0\.0\.1:[0-9]+ \(.*the server said: ERROR Closing Link: 127\.0\.0\.1 \(Flood \^\[\[0mkill\^G\)\); reconnecting in' \
  "$PURG_TMP/l5.err" "the ERROR text in the reconnect message"
no_raw_ctrl "$PURG_TMP/l5.out" "$PURG_TMP/l5.err"
purg_log "5. ERROR after 001: $nconn connections in 3.3 s, gaps $gaps ms: ok"

# --- 6. banned ------------------------------------------------------------------------------
start_fake f6 --ban
run_listener l6
rc=0
purg_wait l6 10 || rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || purg_fail "banned: exit status $rc, expected an error"
purg_assert_grep 'banned \(465\): You are banned from this server: \^\[spam\^G' "$PURG_TMP/l6.err" "the 465 text"
purg_assert_grep 'not reconnecting to a server that bans us' "$PURG_TMP/l6.err" "why it stopped"
sleep 0.5
purg_assert_eq "$(opens "$PURG_TMP/f6.err" | wc -l)" 2 "connections to a server that bans us"
no_raw_ctrl "$PURG_TMP/l6.out" "$PURG_TMP/l6.err"
start_fake f6r --ban
run_listener l6r --retry-banned

for _ in $(seq 60); do (( $(opens "$PURG_TMP/f6r.err" | wc -l) >= 4 )) && break; sleep 0.1; done
purg_running l6r || purg_fail "--retry-banned: the listener gave up"
n=$(opens "$PURG_TMP/f6r.err" | wc -l)
purg_assert_ge "$n" 4 "connections with --retry-banned (1 good, then banned ones)"
purg_stop l6r || purg_fail "listener exit status $?"
purg_assert_grep 'lost the connection .*banned \(465\)' "$PURG_TMP/l6r.err" "the ban text while retrying"
no_raw_ctrl "$PURG_TMP/l6r.out" "$PURG_TMP/l6r.err"
purg_log "6. banned: exit $rc after 2 connections; --retry-banned: $n connections: ok"

# --- 7. a bad server password -----------------------------------------------------------------
start_fake f7 --bad-password
echo wrong-password >"$PURG_TMP/pw.txt"
run_listener l7 --password-file "$PURG_TMP/pw.txt"
rc=0
purg_wait l7 10 || rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || purg_fail "a bad password: exit status $rc, expected an error"
purg_assert_grep 'refused the password \(464\): Password \^Gincorrect' "$PURG_TMP/l7.err" "the 464 text"
purg_assert_eq "$(opens "$PURG_TMP/f7.err" | wc -l)" 1 "connections with a bad password"
no_raw_ctrl "$PURG_TMP/l7.out" "$PURG_TMP/l7.err"
purg_log "7. bad password: exit $rc: ok"

# --- 8. every JOIN refused --------------------------------------------------------------------
start_fake f8 --join-reply 474
run_listener l8
sleep 3.2
purg_running l8 || purg_fail "the listener gave up on a refused JOIN"
purg_stop l8 || purg_fail "listener exit status $?"
jt=$(client_times "$PURG_TMP/f8.err" '^JOIN ' | tr '\n' ' ')
n=$(awk -v ts="$jt" 'BEGIN { n = split(ts, t, " "); for (i = 1; i <= n; i++) if (t[i] - t[1] <= 3) k++; print k + 0 }')
bound=$(sched_count 3 1 $((2 * REJOIN_MS)))
purg_assert_le "$n" "$bound" "JOINs in the first 3 s"
purg_assert_ge "$n" 4 "JOINs in the first 3 s (it keeps trying)"
gaps=$(check_gaps "delays between refused JOINs" 0 "$jt" "200 400 800")
purg_assert_grep 'ear cannot join #chan: Cannot join channel \(\+b\) \^\[\[1mbanned\^G \(474\); trying again in 0\.2 s' \
  "$PURG_TMP/l8.err" "the 474 message"
no_raw_ctrl "$PURG_TMP/l8.out" "$PURG_TMP/l8.err"
purg_log "8. refused JOINs: $n in 3 s (bound $bound), gaps $gaps ms: ok"

# --- 9. a forced JOIN; 10. QUIT on SIGTERM ----------------------------------------------------
start_fake f9 --force-join '#other'
run_listener l9
purg_wait_for '<alice> .*still here' "$PURG_TMP/l9.out" 8 || purg_fail "the configured channel was not heard"
sleep 0.3
purg_assert_grep 'the server put ear in #other, which it was not asked to join; leaving it' \
  "$PURG_TMP/l9.err" "the forced join reported"
purg_assert_eq "$(purg_count 'the server put ear in #other' "$PURG_TMP/l9.err")" 1 "reports of the forced join"
purg_assert_eq "$(purg_count ' C: PART #other' "$PURG_TMP/f9.err")" 1 "PARTs of #other"
purg_assert_no_grep 'forced words' "$PURG_TMP/l9.out" "a line in a forced channel is not spoken"
t0=${EPOCHREALTIME/./}
purg_stop l9 || purg_fail "listener exit status $?"
took=$(secs_since "$t0")
purg_assert_grep '^[0-9.]+ 1 C: QUIT :purgatory signing off$' "$PURG_TMP/f9.err" "the QUIT line"
last=$(awk '$2 == 1 { l = $0 } END { sub(/^[^ ]+ [^ ]+ /, "", l); print l }' "$PURG_TMP/f9.err")
purg_assert_eq "$last" "closed by server" "the server closed the link after the QUIT"
purg_assert_eq "$(awk '$2 == 1 && $3 == "C:" { l = $0 } END { sub(/^[^ ]+ [^ ]+ C: /, "", l); print l }' "$PURG_TMP/f9.err")" \
  "QUIT :purgatory signing off" "the last client line"
no_raw_ctrl "$PURG_TMP/l9.out" "$PURG_TMP/l9.err"
purg_log "9. forced join: reported once, one PART, not heard; 10. QUIT before close (stop took ${took} s): ok"
purg_log "ok"
