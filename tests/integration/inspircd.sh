#!/usr/bin/env bash
# inspircd.sh - what InspIRCd 3 does differently from ngircd, with the flood
# rules it ships (lib.sh's purg_start_inspircd; InspIRCd only):
#   1. custom prefixes: zed (+o and the custom +a: '@zed' in NAMES, '@!zed'
#      with multi-prefix) and yan (+a only: '!yan') are spoken as <zed> and
#      <yan>, never with a prefix;
#   2. bot mode: botty sets +B and speaks; the listener with --skip-bots does
#      not speak it, but speaks norm's line that follows;
#   3. the QUIT reason: the listener stopped with SIGTERM quits, and another
#      client sees "QUIT :Quit: purgatory signing off" (InspIRCd prefixes
#      "Quit: ");
#   5. replayed history: #h has chanhistory (+H) and two lines said 7 s
#      before the listener joins; InspIRCd replays them on the join, and
#      the listener does not speak them (server-time), but speaks the live
#      line that follows;
#   4. two personas hosted by the listener talk at a high rate (rate = 60,
#      burst = 3) for PERSONA_SECS (default 40) s: no connection may be
#      killed for "Excess Flood" (more than ~1 command a second sustained).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PERSONA_SECS=${PERSONA_SECS:-40}

purg_tmpdir
purg_start_inspircd

# raw.py NICK LOG STEP... - a minimal client on $PURG_IRC_PORT: registers,
# then runs its steps in order, logging every line it receives to LOG:
#   send:LINE    send LINE as it is
#   wait:REGEX   wait (up to 30 s) for a line matching REGEX, received after
#                the line the previous wait matched
#   sleep:SECS   pause (PINGs are still answered)
# then QUITs. Exit 1 when a wait times out or the server closes the link.
cat >"$PURG_TMP/raw.py" <<'PY'
import re, socket, sys, time
port, nick, logname = int(sys.argv[1]), sys.argv[2], sys.argv[3]
log = open(logname, "a", buffering=1)
s = socket.create_connection(("127.0.0.1", port), timeout=30)
buf = b""
seen, pos = [], 0   # every line received; where the next wait starts looking
def receive(deadline):
    global buf
    while time.time() < deadline:
        s.settimeout(max(0.05, deadline - time.time()))
        try:
            data = s.recv(4096)
        except socket.timeout:
            return
        if not data:
            sys.exit("raw.py %s: the server closed the connection" % nick)
        buf += data
        *got, buf = buf.split(b"\r\n")
        for l in got:
            l = l.decode("utf-8", "replace")
            log.write(l + "\n")
            if l.startswith("PING "):
                s.sendall(("PONG " + l[5:] + "\r\n").encode())
            seen.append(l)
        if got:
            return
def wait(regex, secs=30):
    global pos
    deadline = time.time() + secs
    while True:
        for i in range(pos, len(seen)):
            if re.search(regex, seen[i]):
                pos = i + 1
                return
        pos = len(seen)
        if time.time() >= deadline:
            sys.exit("raw.py %s: timed out waiting for /%s/" % (nick, regex))
        receive(deadline)
s.sendall(("NICK %s\r\nUSER %s 0 * :%s\r\n" % (nick, nick, nick)).encode())
wait(r"^:\S+ 001 ")
for step in sys.argv[4:]:
    kind, _, arg = step.partition(":")
    if kind == "send":
        s.sendall((arg + "\r\n").encode())
    elif kind == "wait":
        wait(arg)
    elif kind == "sleep":
        end = time.time() + float(arg)
        while time.time() < end:
            receive(end)
    else:
        sys.exit("raw.py: bad step " + step)
s.sendall(b"QUIT :done\r\n")
PY
raw() { purg_spawn "$1" "$PURG_PYTHON" "$PURG_TMP/raw.py" "$PURG_IRC_PORT" "$1" "$PURG_TMP/$1.log" "${@:2}"; }

# --- 1 and 2: prefixes and bot mode (one listener, two channels) ----------------
# zed opens #p (op), gives itself and yan the custom prefix mode +a, waits
# for the listener, speaks, then stays until the listener quits (part 3).
raw zed 'send:JOIN #p' 'wait: 366 ' 'send:MODE #p +a zed' 'wait:MODE #p \+a :?zed' \
  'wait::yan!\S+ JOIN' 'send:MODE #p +a yan' 'wait:MODE #p \+a :?yan' \
  'wait::ear!\S+ JOIN' 'send:NAMES #p' 'wait: 366 ' 'sleep:1' 'send:PRIVMSG #p :hello from zed' \
  'wait::ear!\S+ QUIT'
raw yan 'sleep:1.5' 'send:JOIN #p' 'wait:MODE #p \+a :?yan' \
  'wait::ear!\S+ JOIN' 'sleep:3' 'send:PRIVMSG #p :hello from yan'
# botty: bot mode, in #b, speaks once the listener is there; norm speaks after it
raw botty 'send:MODE botty +B' 'wait:MODE botty :?\+B' 'send:JOIN #b' 'wait: 366 ' \
  'wait::norm!\S+ JOIN' 'wait::ear!\S+ JOIN' 'sleep:1.5' 'send:PRIVMSG #b :beep from the bot' 'sleep:3'
raw norm 'sleep:1.5' 'send:JOIN #b' 'wait: 366 ' 'wait::ear!\S+ JOIN' \
  'wait::botty!\S+ PRIVMSG #b :beep' 'send:PRIVMSG #b :a human after the bot' 'sleep:2'
# hist: #h keeps history; two lines now, a live one once the listener is there
raw hist 'send:JOIN #h' 'wait: 366 ' 'send:MODE #h +H 10:1h' 'wait:MODE #h \+H' \
  'send:PRIVMSG #h :an old line from before' 'send:PRIVMSG #h :another old line' \
  'wait::ear!\S+ JOIN' 'sleep:1.5' 'send:PRIVMSG #h :a live line in h' 'sleep:2'
purg_wait_for 'MODE #h \+H' "$PURG_TMP/hist.log" 20 || purg_fail "#h did not get chanhistory (+H)"
sleep 7   # the history is then well older than the 5 s that tells it from live lines
purg_wait_for 'MODE #p \+a :?yan' "$PURG_TMP/zed.log" 20 || purg_fail "zed and yan did not get the custom prefix"
purg_wait_for ':norm!\S+ JOIN' "$PURG_TMP/botty.log" 20 || purg_fail "botty and norm are not in #b"

purg_start_listener --nick ear --channel '#p' --channel '#b' --channel '#h' --audio null --skip-bots
purg_wait_for 'joined #b' "$PURG_LISTENER_ERR" 20 || purg_fail "the listener did not join #b"
purg_wait_for '^#p <zed> .*hello from zed' "$PURG_LISTENER_OUT" 20 || purg_fail "zed's line was not spoken as <zed>"
purg_wait_for '^#p <yan> .*hello from yan' "$PURG_LISTENER_OUT" 20 || purg_fail "yan's line was not spoken as <yan>"
purg_assert_grep '^:\S+ 353 zed = #p :.*!yan' "$PURG_TMP/zed.log" "NAMES showing the custom prefix (!yan)"
purg_assert_no_grep '<[!@+%~&]' "$PURG_LISTENER_OUT" "a prefix in a spoken nick"
purg_log "custom prefixes: spoken as <zed> and <yan> (NAMES $(grep ' 353 zed ' "$PURG_TMP/zed.log" | tail -n 1 | cut -d' ' -f5-))"

purg_wait_for '^#b <norm> .*a human after the bot' "$PURG_LISTENER_OUT" 20 || purg_fail "norm's line was not spoken"
purg_assert_no_grep '<botty>' "$PURG_LISTENER_OUT" "botty (+B) spoken despite --skip-bots"
purg_log "bot mode: botty (+B) not spoken, norm spoken"

purg_wait_for '^#h <hist> .*a live line in h' "$PURG_LISTENER_OUT" 20 || purg_fail "the live line in #h was not spoken"
purg_assert_no_grep 'old line' "$PURG_LISTENER_OUT" "replayed history spoken as live"
# the server did replay it: a client joining now gets the old lines too
raw late 'send:JOIN #h' 'wait: 366 ' 'wait:PRIVMSG #h :another old line'
purg_wait late 15 || purg_fail "InspIRCd did not replay #h's history to a late joiner (the check above proved nothing)"
purg_log "history: the replayed lines unspoken, the live line spoken"

# --- 3: the QUIT reason ------------------------------------------------------------
purg_stop_listener || purg_fail "listener exited with status $? on SIGTERM"
purg_wait zed 15 || purg_fail "zed did not see the listener quit (status $?)"
purg_assert_grep '^:ear!\S+ QUIT :Quit: purgatory signing off$' "$PURG_TMP/zed.log" "the listener's QUIT reason"
purg_log "quit: $(grep -m1 '^:ear!\S* QUIT' "$PURG_TMP/zed.log")"
for c in yan botty norm hist; do purg_wait "$c" 15 || purg_fail "client $c failed (status $?)"; done

# --- 4: personas at a high rate under InspIRCd's flood rules ------------------------
mv "$PURG_LISTENER_OUT" "$PURG_TMP/listener-1.out"; mv "$PURG_LISTENER_ERR" "$PURG_TMP/listener-1.err"
purg_forget listener
"$PURG_PYTHON" - "$PURG_TMP/corpus.txt" <<'PY'
import random, sys
r = random.Random(7)
subj = ["the server", "my cat", "the printer", "the garden", "the weather", "the build",
        "the network", "the coffee machine", "the backup", "the old radio"]
verb = ["is on fire", "needs a restart", "ate the backups", "looks fine today", "wants help",
        "runs the tests", "quotes the manual", "is down again", "hums a tune"]
with open(sys.argv[1], "w") as f:
    for i in range(1500):
        f.write("%s %s and %s %s\n" % (r.choice(subj), r.choice(verb), r.choice(subj), r.choice(verb)))
PY
for p in alpha beta; do
  cat >"$PURG_TMP/$p.ini" <<INI
[persona]
nick = $p
corpus = corpus.txt
order = 1
take_turns = no
channels = #per
chattiness = 1
reply_mention = 1
reply_persona = 0.9
max_turns = 50
quiet_after = 0
rate = 60
burst = 3
think_min = 0.2
think_max = 0.6
max_words = 16
INI
done
kills0=$(purg_count 'Client exiting: .*\[Excess Flood\]' "$PURG_INSPIRCD_LOG")
purg_start_listener --nick ear --channel '#per' --audio null \
  --persona "$PURG_TMP/alpha.ini" --persona "$PURG_TMP/beta.ini"
purg_wait_for 'joined #per' "$PURG_LISTENER_ERR" 20 || purg_fail "the persona listener did not join"
purg_log "two personas at rate = 60 for ${PERSONA_SECS} s"
sleep "$PERSONA_SECS"
purg_stop_listener || purg_fail "persona listener exited with status $? on SIGTERM"
# InspIRCd writes its log file in blocks: stop it so that the log is complete
purg_stop inspircd 10 || true
lines=$(purg_count '^#per <(alpha|beta)> ' "$PURG_LISTENER_OUT")
lost=$(purg_count 'lost the connection.*Excess Flood' "$PURG_LISTENER_ERR")
kills=$(( $(purg_count 'Client exiting: .*\[Excess Flood\]' "$PURG_INSPIRCD_LOG") - kills0 ))
grep -E 'Client exiting: .*\[Excess Flood\]' "$PURG_INSPIRCD_LOG" | head -5 >&2 || true
grep -E 'said [0-9]+' "$PURG_LISTENER_ERR" >&2 || true
grep -E 'lost the connection' "$PURG_LISTENER_ERR" | head -5 >&2 || true
purg_log "personas: $lines lines spoken in ${PERSONA_SECS} s; Excess Flood kills: $kills in the server's log, $lost in the listener's stderr"
purg_assert_ge "$lines" 10 "persona lines spoken in ${PERSONA_SECS} s"
purg_assert_eq "$kills" 0 "connections InspIRCd killed for Excess Flood"
purg_assert_eq "$lost" 0 "connections the listener lost to Excess Flood"
purg_log "ok"
