#!/usr/bin/env bash
# personas_irc.sh - personas hosted by `purgatory listen` over a real ngircd
# (or InspIRCd with PURG_IRCD=inspircd), with nothing configured about
# bots: three personas trained at start-up on a corpus where a third of the
# lines are chat-ops commands (many addressed
# to the bots below) converse while two command-bot stand-ins
# (cmdbot_irc.py) sit in the channel: "cmdbot" (a bot by its name) and
# "jarvis" (a human-looking nick in bot mode, +B). Both mention the
# personas every couple of seconds in several syntaxes and INVITE them to
# #ops. What they heard is counted with the command-bot model (cmdbot_check:
# the bot's own triggers and those of Hubot, Limnoria, Sopel, Errbot and
# Eggdrop bots of that name in the room): 0 actions; no persona ever joins
# or speaks in #ops; the personas still converse (at least 12 lines a
# minute between them). A human who names a persona gets an answer that
# names her at the end. The personas are in bot mode (+B, seen in WHOIS by
# another client), and the listener, run with --skip-bots, does not speak
# jarvis (flagged by the server) but does speak cmdbot and the personas.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

purg_tmpdir
purg_start_ircd
check_bin="$(dirname "$PURG_BIN")/tests/cmdbot_check"
[ -x "$check_bin" ] || purg_fail "$check_bin is not built"

# a command-heavy corpus: every third line is something a bot would act on
"$PURG_PYTHON" - "$PURG_TMP/corpus.txt" <<'PY'
import random, sys
r = random.Random(5)
subj = ["the server", "my cat", "the printer", "alpha", "beta", "gamma", "the build", "cmdbot",
        "the network", "jarvis", "the coffee machine", "the backup"]
verb = ["is on fire", "needs a restart", "ate the backups", "deployed to production",
        "has karma", "wants help", "runs the tests", "quotes the manual", "is down again"]
cmds = ["!karma bob++", ".deploy production now", "cmdbot: restart the server", "bob++ for the fix",
        "s/server/printer/", "@cmdbot help", "~quote add the printer is down", "?help deploy",
        "/join #ops", "cmdbot, deploy the build", "!help", "karma-- for the network", "$eval 1+1",
        ">run the tests", "cmdbot status please", "alpha: !deploy", "beta, kick bob", "!op gamma",
        "the build--", ".reload", "gamma: exec rm -rf", "++bob", "@bob deploy", "!invite alpha #ops",
        "jarvis deploy the build", "Jarvis: restart the printer", "the server is down, jarvis",
        "deploy production now; cmdbot", "jarvis> quote the manual", "ear the build is broken",
        "deploy the build", "seen bob", "alice the network is slow"]
with open(sys.argv[1], "w") as f:
    for i in range(1500):
        if i % 3 == 2:
            f.write(r.choice(cmds) + "\n")
        else:
            f.write("%s %s and %s %s\n" % (r.choice(subj), r.choice(verb), r.choice(subj), r.choice(verb)))
PY

for p in alpha beta gamma; do
  cat >"$PURG_TMP/$p.ini" <<INI
[persona]
nick = $p
corpus = corpus.txt
order = 1
take_turns = no
channels = #purgatory
chattiness = 2
reply_mention = 1
reply_persona = 0.9
max_turns = 8
quiet_after = 0
rate = 60
burst = 3
think_min = 0.2
think_max = 0.6
max_words = 16
INI
done

purg_start_listener --nick ear --channel '#purgatory' --audio null --skip-bots \
  --persona "$PURG_TMP/alpha.ini" --persona "$PURG_TMP/beta.ini" --persona "$PURG_TMP/gamma.ini"
purg_wait_for 'joined #purgatory' "$PURG_LISTENER_ERR" 15 || purg_fail "the listener did not join"

run_s=30
for bot in cmdbot jarvis; do
  extra=()
  # a bot's lines in the second or so before the listener's WHOIS answer
  # arrives are still heard (README): jarvis speaks 3 s after joining
  [ "$bot" = jarvis ] && extra=(--bot-mode --first-bait 3)
  # the stand-ins (not under test) send several commands every 2 s: the port
  # without flood limits (InspIRCd; under ngircd it is PURG_IRC_PORT)
  purg_spawn "$bot" "$PURG_PYTHON" "$PURG_INTEGRATION_DIR/cmdbot_irc.py" --port "$PURG_IRC_BULK_PORT" \
    --nick "$bot" --target alpha --target beta --target gamma --record "$PURG_TMP/$bot.heard" \
    --seconds "$run_s" --every 2 "${extra[@]}"
done

# a human names a persona: it answers, naming her at the end, never at the start
sleep 4
purg_ircpeer --channel '#purgatory' --wait-nick alpha --line 'alice|alpha, what about the coffee machine?' \
  || purg_fail "the test client failed"
purg_wait_for '<alpha> .*, alice[.?!]$' "$PURG_LISTENER_OUT" 30 || purg_fail "alpha did not answer alice"
purg_assert_no_grep '<(alpha|beta|gamma)> (@|cmdbot|jarvis|ear)' "$PURG_LISTENER_OUT" \
  "persona lines addressed to someone present"

# the personas are in bot mode: another client sees it in WHOIS (335)
purg_ircpeer --raw - --timeout 10 --record "$PURG_TMP/whois.log" <<'RAW' || purg_fail "the WHOIS client failed"
send NICK whoiser
send USER w 0 * :w
expect " 376 "
send WHOIS alpha
send WHOIS beta
send WHOIS jarvis
expect 3 " 318 "
send QUIT
RAW
awk '$2 == "335" { print $4 }' "$PURG_TMP/whois.log" >"$PURG_TMP/whois.txt"
for n in alpha beta jarvis; do
  grep -qx "$n" "$PURG_TMP/whois.txt" || purg_fail "WHOIS $n shows no bot mode (335): $(cat "$PURG_TMP/whois.txt")"
done

for bot in cmdbot jarvis; do
  purg_wait "$bot" $((run_s + 15)) || purg_fail "the command bot $bot failed (status $?)"
  summary=$(tail -n 1 "$PURG_TMP/$bot.out")
  purg_log "$bot: $summary"
  [[ "$summary" =~ invites=([0-9]+)\ ops_joins=([0-9]+)\ ops_lines=([0-9]+) ]] \
    || purg_fail "unexpected summary '$summary'"
  purg_assert_ge "${BASH_REMATCH[1]}" 8 "invites $bot sent"
  purg_assert_eq "${BASH_REMATCH[2]}" 0 "personas that joined #ops"
  purg_assert_eq "${BASH_REMATCH[3]}" 0 "persona lines in #ops"
  # what each bot heard, checked against every bot and the listener (present throughout;
  # alice left after her question, so a line may start with her name afterwards)
  read -r lines actions < <("$check_bin" "$PURG_TMP/$bot.heard" cmdbot jarvis ear \
                            2>"$PURG_TMP/$bot.check.err")
  purg_log "cmdbot_check ($bot): $lines lines, $actions actions"
  [ "$actions" = 0 ] || cat "$PURG_TMP/$bot.check.err" >&2
  purg_assert_eq "$actions" 0 "lines a command bot would act on (heard by $bot)"
  # lines the personas said while the bot sat there: at least 12 a minute
  purg_assert_ge "$lines" $((run_s * 12 / 60)) "persona lines $bot heard in ${run_s} s"
done
purg_wait_for 'ignored an invitation to #ops' "$PURG_LISTENER_ERR" 1 3 \
  || purg_fail "the personas did not report the invitations they ignored"
# the listener heard the personas like anyone else; --skip-bots: jarvis (+B) unspoken,
# cmdbot (no bot mode: a bot by its name only to the personas) spoken
for p in alpha beta gamma; do
  n=$(purg_count "^#purgatory <$p>" "$PURG_LISTENER_OUT")
  purg_assert_ge "$n" 2 "lines of $p the listener heard"
done
purg_assert_grep '^#purgatory <cmdbot>' "$PURG_LISTENER_OUT" "cmdbot spoken (not in bot mode)"
purg_assert_no_grep '^#purgatory <jarvis>' "$PURG_LISTENER_OUT" "jarvis spoken despite --skip-bots"
purg_stop_listener || purg_fail "listener exited with status $? on SIGTERM"
grep -E 'said [0-9]+' "$PURG_LISTENER_ERR" >&2 || true
purg_log "ok"
