#!/usr/bin/env bash
# pacing.sh - every link keeps to the flood budget with the default pacing
# (src/ircbridge.h: a burst of 5 lines, then one every 1.25 s, every command
# counted): a listener hosting two personas that would say a line a second
# (rate = 600, burst = 10 in their files, which are clamped with a warning)
# talks for 25 s to a scripted server (fakeircd.py --many --stamp) that logs
# each client line with its time. For every connection, no 10-second window
# may hold more than 5 + 10/1.25 = 13 lines (the limit InspIRCd's shipped
# rules enforce is about 10 s at 1 a second), and the personas still speak.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
export PURG_IRC_TIMING=""     # the real pacing, not the tests' fast one
purg_tmpdir

printf '%s\n' "the printer is on fire again" "the coffee machine has a kernel panic" \
  "nobody reads the manual before the server room floods" "the backup tapes were eaten" \
  "the network is slow because of solar flares" "my cat deployed the printer again" \
  "the server room is cold and the printer is warm" >"$PURG_TMP/corpus.txt"
for p in alpha beta; do
  cat >"$PURG_TMP/$p.ini" <<INI
[persona]
nick = $p
corpus = corpus.txt
order = 1
take_turns = no
channels = #pace
chattiness = 0.5
quiet_after = 0
max_turns = 1000
rate = 600
burst = 10
INI
done

purg_spawn fake "$PURG_PYTHON" "$PURG_INTEGRATION_DIR/fakeircd.py" "$PURG_TMP/port" --many --stamp
for i in $(seq 50); do [ -s "$PURG_TMP/port" ] && break; sleep 0.1; done
purg_start_listener --server 127.0.0.1 --port "$(cat "$PURG_TMP/port")" --nick ear --channel '#pace' \
  --audio null --persona "$PURG_TMP/alpha.ini" --persona "$PURG_TMP/beta.ini"
sleep 25
purg_stop_listener || purg_fail "listener exit status $?"
purg_assert_grep 'rate 600 / burst 10 is more than an IRC link may send' "$PURG_LISTENER_ERR" \
  "the warning about the clamped rate"

# "<secs> <conn> C: <line>" -> per connection: lines, PRIVMSGs, the most in any 10 s
"$PURG_PYTHON" - "$PURG_TMP/fake.err" >"$PURG_TMP/rates.txt" <<'PY'
import collections, sys
t = collections.defaultdict(list)
msgs = collections.Counter()
for l in open(sys.argv[1], errors="replace"):
    w = l.split(" ", 3)
    if len(w) == 4 and w[2] == "C:":
        t[w[1]].append(float(w[0]))
        msgs[w[1]] += w[3].startswith("PRIVMSG #pace")
for conn, ts in sorted(t.items()):
    worst = max(sum(1 for x in ts if s <= x < s + 10) for s in ts)
    print(conn, len(ts), msgs[conn], worst)
PY
cat "$PURG_TMP/rates.txt" >&2
purg_assert_eq "$(wc -l <"$PURG_TMP/rates.txt")" 3 "connections (listener and two personas)"
talkers=0
while read -r conn lines privmsgs worst; do
  purg_assert_le "$worst" 13 "lines connection $conn sent in its busiest 10 s"
  [ "$privmsgs" -ge 8 ] && talkers=$((talkers + 1))
done <"$PURG_TMP/rates.txt"
purg_assert_eq "$talkers" 2 "personas that said at least 8 lines in 25 s"
purg_log "ok"
