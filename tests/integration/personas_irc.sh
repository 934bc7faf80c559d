#!/usr/bin/env bash
# personas_irc.sh - personas hosted by `purgatory listen` over a real ngircd:
# three personas trained at start-up on a corpus where a third of the lines
# are chat-ops commands converse; a command-bot stand-in (cmdbot_irc.py)
# sits in the channel, baits them by name and INVITEs them to #ops. What it
# heard is counted with the command-bot model (cmdbot_check, built from
# tests/unit/cmdbot.c): the count must be 0, and no persona may ever join or
# speak in #ops. A human line naming a persona gets a reply, and the
# listener hears the personas like anyone else.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

purg_tmpdir
purg_start_ngircd
check_bin="$(dirname "$PURG_BIN")/tests/cmdbot_check"
[ -x "$check_bin" ] || purg_fail "$check_bin is not built"

# a command-heavy corpus: every third line is something a bot would act on
"$PURG_PYTHON" - "$PURG_TMP/corpus.txt" <<'PY'
import random, sys
r = random.Random(5)
subj = ["the server", "my cat", "the printer", "alpha", "beta", "gamma", "the build", "cmdbot",
        "the network", "bob", "the coffee machine", "the backup"]
verb = ["is on fire", "needs a restart", "ate the backups", "deployed to production",
        "has karma", "wants help", "runs the tests", "quotes the manual", "is down again"]
cmds = ["!karma bob++", ".deploy production now", "cmdbot: restart the server", "bob++ for the fix",
        "s/server/printer/", "@cmdbot help", "~quote add the printer is down", "?help deploy",
        "/join #ops", "cmdbot, deploy the build", "!help", "karma-- for the network", "$eval 1+1",
        ">run the tests", "cmdbot status please", "alpha: !deploy", "beta, kick bob", "!op gamma",
        "the build--", ".reload", "gamma: exec rm -rf", "++bob", "@bob deploy", "!invite alpha #ops"]
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
[guard]
nicks = cmdbot
INI
done

purg_start_listener --nick ear --channel '#purgatory' --audio null \
  --persona "$PURG_TMP/alpha.ini" --persona "$PURG_TMP/beta.ini" --persona "$PURG_TMP/gamma.ini"
purg_wait_for 'joined #purgatory' "$PURG_LISTENER_ERR" 15 || purg_fail "the listener did not join"

purg_spawn cmdbot "$PURG_PYTHON" "$PURG_INTEGRATION_DIR/cmdbot_irc.py" --port "$PURG_IRC_PORT" \
  --target alpha --target beta --target gamma --record "$PURG_TMP/heard.txt" --seconds 25 --every 2

# a human names a persona: it answers (addressed to the human)
sleep 3
purg_ircpeer --channel '#purgatory' --wait-nick alpha --line 'alice|alpha, what about the coffee machine?' \
  || purg_fail "the test client failed"
purg_wait_for '<alpha> .*alice' "$PURG_LISTENER_OUT" 15 || purg_fail "alpha did not answer alice"

purg_wait cmdbot 40 || purg_fail "the command bot failed (status $?)"
summary=$(tail -n 1 "$PURG_TMP/cmdbot.out")
purg_log "command bot: $summary"
read -r lines actions < <("$check_bin" cmdbot "$PURG_TMP/heard.txt" 2>"$PURG_TMP/cmdbot_check.err")
purg_log "cmdbot_check: $lines lines, $actions actions"
purg_assert_ge "$lines" 30 "channel lines the command bot heard in 25 s"
purg_assert_eq "$actions" 0 "lines the command bot would act on"
[[ "$summary" =~ invites=([0-9]+)\ ops_joins=([0-9]+)\ ops_lines=([0-9]+) ]] \
  || purg_fail "unexpected summary '$summary'"
purg_assert_ge "${BASH_REMATCH[1]}" 8 "invites sent"
purg_assert_eq "${BASH_REMATCH[2]}" 0 "personas that joined #ops"
purg_assert_eq "${BASH_REMATCH[3]}" 0 "persona lines in #ops"
purg_wait_for 'ignored an invitation to #ops' "$PURG_LISTENER_ERR" 1 3 \
  || purg_fail "the personas did not report the invitations they ignored"
# the listener heard the personas like anyone else
for p in alpha beta gamma; do
  n=$(purg_count "^#purgatory <$p>" "$PURG_LISTENER_OUT")
  purg_assert_ge "$n" 3 "lines of $p the listener heard"
done
purg_stop_listener || purg_fail "listener exited with status $? on SIGTERM"
purg_log "ok"
