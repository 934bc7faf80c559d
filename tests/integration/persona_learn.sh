#!/usr/bin/env bash
# persona_learn.sh - opt-in learning over ngircd: a persona with learn = yes
# learns a new word from a human, keeps it in MODEL.learned, and after a
# restart answers with it; it never learns from a bot (by its name, or
# flagged +B by the server), another persona, a line the guard refuses, a
# line with a URL, a nick learn_from excludes or one the listener ignores
# (--ignore, by nick or by hostmask; each says a word nowhere else).
# `train --forget` removes one person's lines.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

purg_tmpdir
purg_start_ircd

# a small corpus: the new words are nowhere in it
"$PURG_PYTHON" - "$PURG_TMP/corpus.txt" <<'PY'
import random, sys
r = random.Random(3)
things = ["the cat", "the cake", "a lamp", "the old key", "my hat", "the letter", "a red stone"]
places = ["in the garden", "on the table", "under the bed", "near the door", "in the box"]
with open(sys.argv[1], "w") as f:
    for i in range(400):
        f.write("%s is %s and %s is %s\n" % (r.choice(things), r.choice(places),
                                             r.choice(things), r.choice(places)))
PY
printf 'the blorptrain rumbles past the station every day\nthe blorptrain is late again\n' \
  >"$PURG_TMP/other.txt"
cat >"$PURG_TMP/sage.ini" <<INI
[persona]
nick = sage
model = sage.model
corpus = corpus.txt
order = 1
channels = #purgatory
chattiness = 0
reply_mention = 1
reply_persona = 0
quiet_after = 0
rate = 30
burst = 4
think_min = 0.2
think_max = 0.5
learn = yes
learn_from = * !mallory
INI
cat >"$PURG_TMP/other.ini" <<INI
[persona]
nick = other
corpus = other.txt
order = 1
channels = #purgatory
chattiness = 1
reply_persona = 0
quiet_after = 0
rate = 30
burst = 4
INI

start() {
  purg_start_listener --nick ear --channel '#purgatory' --audio null --ignore 'igna*' --ignore '*!*hidden@*' \
    --persona "$PURG_TMP/sage.ini" --persona "$PURG_TMP/other.ini"
  purg_wait_for 'joined #purgatory' "$PURG_LISTENER_ERR" 15 || purg_fail "the listener did not join"
}

start
purg_assert_grep 'sage learns from its channels' "$PURG_LISTENER_ERR" "learning announced"
# what sage hears: a human teaching a word, and lines it must not learn
purg_ircpeer --channel '#purgatory' --wait-nick sage --wait-nick other --delay 0.3 \
  --line 'alice|the zanzibarite is in the garden and the zanzibarite is on the table' \
  --line 'alice|my hat is near the zanzibarite' \
  --line 'cmdbot|the quuxolite is in the box' \
  --line 'mallory|the frobnitzite is under the bed' \
  --line 'ignacio|the ignorite is under the bed' \
  --line 'alice|!karma plingstone++' \
  --line 'alice|see https://example.org/wobblestone for the wobblestone' \
  --start-delay 1 --stay 1 || purg_fail "the test client failed"
# a bot the server flags (+B, set before it joins; ngircd tells through
# WHOIS), saying a line that names nobody and would pass the guard
purg_ircpeer --raw - --timeout 10 <<'RAW' || purg_fail "the +B bot stand-in failed"
send NICK robo
send USER robo 0 * :robo
expect " 001 "
send MODE robo +B
send JOIN #purgatory
expect "JOIN"
sleep 3
send PRIVMSG #purgatory :the jarvisite is on the table
sleep 1
send QUIT :bye
RAW
# a human the listener ignores by hostmask (--ignore '*!*hidden@*'): her
# nick says nothing of it, her user name does
purg_ircpeer --raw - --timeout 10 <<'RAW' || purg_fail "the hostmask-ignored client failed"
send NICK vera
send USER hidden 0 * :vera
expect " 001 "
send JOIN #purgatory
expect "JOIN"
sleep 1
send PRIVMSG #purgatory :the maskite is on the shelf near the garden
sleep 1
send QUIT :bye
RAW
sleep 1
purg_stop_listener || purg_fail "listener exited with status $? on SIGTERM"
learned=$PURG_TMP/sage.model.learned
[ -s "$learned" ] || purg_fail "nothing saved in $learned; listener said: $(tail -5 "$PURG_LISTENER_ERR")"
purg_log "learned: $(tail -n +2 "$learned" | cut -f1,3 | tr '\t\n' ': ')"
purg_assert_eq "$(head -1 "$learned")" "# purgatory learned lines 1" "header of the learned-lines file"
purg_assert_grep '^alice	[0-9]+	the zanzibarite is in the garden' "$learned" "alice's line learned"
purg_assert_no_grep 'quuxolite|frobnitzite|ignorite|plingstone|wobblestone|jarvisite|blorptrain|maskite' "$learned" \
  "a line from a bot, an excluded or ignored nick or hostmask, the guard's refusals, a URL or another persona"
purg_assert_no_grep '^(cmdbot|mallory|ignacio|robo|other|sage|vera)	' "$learned" "lines kept from those nicks"
purg_assert_grep '<robo> .*the jarvisite' "$PURG_LISTENER_OUT" "the +B bot's line in the channel (the listener heard it)"
n_other=$(purg_count '^#purgatory <other>' "$PURG_LISTENER_OUT")
purg_assert_ge "$n_other" 1 "lines the other persona said (heard by sage, not learned)"
[ "$(stat -c %a "$learned")" = 600 ] || purg_fail "$learned is readable by others"

# after a restart the word is still known: asked about it, sage answers with it
mv "$PURG_LISTENER_OUT" "$PURG_TMP/first.out"
purg_forget listener
start
ok=0
for i in 1 2 3; do
  purg_ircpeer --channel '#purgatory' --wait-nick sage --line "alice|sage, where is the zanzibarite?" \
    --until ', alice' --timeout 15 || true
  if grep -qiE '<sage> .*zanzibarite.*, alice[.?!]$' "$PURG_LISTENER_OUT"; then ok=1; break; fi
done
grep '<sage>' "$PURG_LISTENER_OUT" | tail -3 | while read -r l; do purg_log "$l"; done
[ "$ok" = 1 ] || purg_fail "sage did not use the word it learned before the restart"
purg_stop_listener || purg_fail "listener exited with status $? on SIGTERM"

# forgetting alice
"$PURG_BIN" train --forget alice "$PURG_TMP/sage.model" 2>"$PURG_TMP/forget.err" \
  || purg_fail "train --forget failed: $(cat "$PURG_TMP/forget.err")"
purg_assert_grep 'forgot [0-9]+ lines? of alice' "$PURG_TMP/forget.err" "train --forget summary"
purg_assert_no_grep '^alice	' "$learned" "alice's lines after --forget"
purg_log "ok"
