#!/usr/bin/env bash
# languages.sh - every language in the room, end to end: a real ngircd, five
# nicks writing English, French, German, Russian and Spanish, `purgatory
# listen` with real espeak-ng. Each line is spoken in a voice of its language
# (the stdout log shows the voice used), short lines keep the nick's
# language, and each nick keeps its variant, pitch, range, rate and pan. Then
# --languages off: every nick's voice as it is, as before. The shipped
# pronunciation dictionary says "brb" as "be right back". With --says
# always, "X says:" and a URL's words are in the line's language.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

purg_tmpdir
purg_start_ircd

printf '%s\n' \
  'marie|Hello, I am Marie and tonight I will mostly speak French' \
  'hans|Hello everyone, this is Hans speaking English first' \
  'ivan|Hi all, Ivan here with a short line in English' \
  'sofia|Good evening, my name is Sofia and I come from Madrid' \
  'alice|good evening everyone, welcome to the talk' \
  "marie|bonjour à tous, je suis très contente d'être ici ce soir" \
  'hans|guten Abend zusammen, ich freue mich sehr auf den Vortrag' \
  'ivan|добрый вечер, друзья, рад вас всех видеть' \
  'sofia|buenas noches a todos, qué alegría estar aquí con vosotros' \
  'marie|merci! 🥲' \
  'hans|ja' \
  'ivan|да' \
  'sofia|sí' \
  "marie|c'est une excellente question, nous allons en parler" \
  'hans|das ist eine sehr gute Frage, finde ich' \
  'ivan|это очень интересный вопрос' \
  'sofia|es una pregunta muy interesante' \
  'alice|brb in five minutes' >"$PURG_TMP/script.txt"
nlines=$(wc -l <"$PURG_TMP/script.txt")

run() { # ARGS... : one listener over the whole script; its log in $PURG_TMP/log
  rm -f "$PURG_TMP/listener.out" "$PURG_TMP/listener.err"
  purg_forget listener
  purg_start_listener --nick ear --channel '#purg' --audio null --catch-up 0 "$@"
  purg_wait_for 'joined #purg' "$PURG_LISTENER_ERR" 15 || purg_fail "the listener did not join #purg"
  purg_ircpeer --channel '#purg' --wait-nick ear --script "$PURG_TMP/script.txt" --delay 0.05 \
    || purg_fail "the test client failed"
  purg_wait_for '<alice> .*five minutes' "$PURG_LISTENER_OUT" 60 || purg_fail "the last line was never spoken"
  purg_stop_listener || purg_fail "listener exited with status $? on SIGTERM"
  grep '^#purg <' "$PURG_LISTENER_OUT" >"$PURG_TMP/log"
  purg_assert_eq "$(wc -l <"$PURG_TMP/log")" "$nlines" "utterances logged"
}

# the voice fields of a nick's Nth line: "NAME pitch=.. range=.. rate=.. pan=.."
voice() { grep "^#purg <$1>" "$PURG_TMP/log" | sed -n "${2}p" | sed -E 's/^[^[]*\[([^]]*)\].*/\1/'; }
base() { voice "$1" "$2" | sed -E 's/^([^+ ]*).*/\1/'; }
rest() { voice "$1" "$2" | sed -E 's/^[^+ ]*//'; }   # +variant and the numbers

# --- 1. --languages auto (the default) -----------------------------------------
run
cat "$PURG_TMP/log" >&2
for nick in marie hans ivan sofia; do
  case $nick in marie) want=fr-fr ;; hans) want=de ;; ivan) want=ru ;; sofia) want=es ;; esac
  first=$(base "$nick" 1)
  [[ "$first" == en* ]] || purg_fail "$nick's English line was spoken with $first"
  for n in 2 3 4; do
    [ "$(base "$nick" "$n")" = "$want" ] \
      || purg_fail "$nick's line $n was spoken with $(voice "$nick" "$n"), expected $want"
    # identity: the same variant, pitch, range, rate and pan as the English line
    [ "$(rest "$nick" "$n")" = "$(rest "$nick" 1)" ] \
      || purg_fail "$nick changed more than the language: '$(voice "$nick" 1)' vs '$(voice "$nick" "$n")'"
  done
done
[[ "$(base alice 1)" == en* ]] || purg_fail "alice's English was not spoken in English"
[ "$(voice alice 1)" = "$(voice alice 2)" ] || purg_fail "alice's voice changed within English"
purg_assert_grep '<alice> \[[^]]*\] be right back in five minutes$' "$PURG_TMP/log" "the dictionary's brb"
# an emoji espeak-ng 1.51 cannot say, named from CLDR in the line's language
purg_assert_grep '<marie> \[fr-fr[^]]*\] merci! visage souriant avec une larme$' "$PURG_TMP/log" "🥲 in French"

# --- 2. --languages off: today's behaviour, each nick one voice -----------------
run --languages off
for nick in marie hans ivan sofia; do
  for n in 2 3 4; do
    [ "$(voice "$nick" "$n")" = "$(voice "$nick" 1)" ] \
      || purg_fail "--languages off: $nick's voice changed: '$(voice "$nick" 1)' vs '$(voice "$nick" "$n")'"
  done
done

# --- 3. the voices file: [languages] and [dictionary]; SIGUSR1 re-reads both ----
cat >"$PURG_TMP/voices.ini" <<'INI'
[voices]
a = en+m1 40 50 170
b = en-us+f2 60 50 170
c = en-gb-scotland+m3 50 70 150
[languages]
use = en,fr,de,ru,es
fr = fr-be
[dictionary]
file = words.dict
INI
printf '[en]\nbrb = back in a moment\n' >"$PURG_TMP/words.dict"
rm -f "$PURG_TMP/listener.out" "$PURG_TMP/listener.err"
purg_forget listener
purg_start_listener --nick ear --channel '#purg' --audio null --catch-up 0 --voices "$PURG_TMP/voices.ini" \
  --says always
purg_wait_for 'joined #purg' "$PURG_LISTENER_ERR" 15 || purg_fail "the listener did not join #purg"
purg_ircpeer --channel '#purg' --wait-nick ear --delay 0.05 \
  --line "marie|bonjour à tous, je suis très contente d'être ici ce soir" \
  --line "marie|regardez https://www.exemple.fr/programme, c'est vraiment très bien fait" \
  --line 'alice|good evening everyone, welcome to the talk' --line 'alice|brb now' \
  || purg_fail "the test client failed"
purg_wait_for '<alice> .*now' "$PURG_LISTENER_OUT" 30 || purg_fail "alice's line was not spoken"
purg_assert_grep '<marie> \[fr-be\+' "$PURG_LISTENER_OUT" "[languages] fr = fr-be"
# the words purgatory adds inside a line follow its language (--says always)
purg_assert_grep "<marie> \\[fr-be\\+[^]]*\\] marie dit : bonjour à tous" "$PURG_LISTENER_OUT" "\"X says:\" in French"
purg_assert_grep "<marie> \\[[^]]*\\] marie dit : regardez lien vers exemple point fr c'est vraiment" \
  "$PURG_LISTENER_OUT" "a URL in French"
purg_assert_grep '<alice> \[en[^]]*\] alice says: good evening' "$PURG_LISTENER_OUT" "\"X says:\" in English"
purg_assert_grep '<alice> \[[^]]*\] alice says: back in a moment now$' "$PURG_LISTENER_OUT" "the voices file's dictionary"
printf '[en]\nbrb = be right back, folks\n' >"$PURG_TMP/words.dict"
kill -USR1 "$PURG_LISTENER_PID"
purg_wait_for 'reloaded the dictionary' "$PURG_LISTENER_ERR" 10 || purg_fail "SIGUSR1 did not reload the dictionary"
purg_ircpeer --channel '#purg' --wait-nick ear --line 'alice|brb again' || purg_fail "the test client failed"
purg_wait_for '<alice> .*again' "$PURG_LISTENER_OUT" 30 || purg_fail "alice's second line was not spoken"
purg_assert_grep '<alice> \[[^]]*\] alice says: be right back, folks again$' "$PURG_LISTENER_OUT" "the reloaded dictionary"
# a bad edit keeps the dictionary in force, and says where
printf '[en]\nbrb\n' >"$PURG_TMP/words.dict"
kill -USR1 "$PURG_LISTENER_PID"
purg_wait_for 'words.dict:2: syntax error' "$PURG_LISTENER_ERR" 10 || purg_fail "a bad dictionary was not reported with FILE:LINE"
purg_stop_listener || purg_fail "listener exited with status $? on SIGTERM"

# --- 4. a bad --languages value is refused before connecting ---------------------
if "$PURG_BIN" listen --server 127.0.0.1 --channel '#x' --languages en,xx 2>"$PURG_TMP/bad.err"; then
  purg_fail "--languages en,xx was accepted"
fi
purg_assert_grep "purgatory listen: --languages: unknown language 'xx'" "$PURG_TMP/bad.err" "the error of a bad --languages"

# --- 5. voices explain --line and voices check ------------------------------------
"$PURG_BIN" voices explain --voices "$PURG_TMP/voices.ini" marie \
  --line "bonjour à tous, je suis très contente d'être ici" --line 'ok' >"$PURG_TMP/explain.out" \
  || purg_fail "voices explain --line failed"
purg_assert_grep '^  line "bonjour .*guess fr \(confidence 1\.00, cld2\+textcat; 9 words\); CLD2 fr reliable; spoken in fr .*voice=fr-be\+' \
  "$PURG_TMP/explain.out" "explain: the French line"
purg_assert_grep '^  line "ok": .*spoken in fr \(confidence [0-9.]+, the nick.s language kept\) voice=fr-be\+' \
  "$PURG_TMP/explain.out" "explain: a short line keeps the nick's language"
printf '[voices]\na = en+m1\n[languages]\nfr = fr-be\n' >"$PURG_TMP/check.ini"
"$PURG_BIN" voices check --voices "$PURG_TMP/check.ini" >"$PURG_TMP/check.out" \
  || purg_fail "voices check refused a good [languages]"
sed -i 's/^fr = fr-be$/fr = nosuchvoice/' "$PURG_TMP/check.ini"
if "$PURG_BIN" voices explain --voices "$PURG_TMP/check.ini" x 2>"$PURG_TMP/check.err"; then
  purg_fail "a voices file with an unknown [languages] voice was accepted"
fi
purg_assert_grep "check.ini:4: \[languages\] fr: espeak-ng has no voice 'nosuchvoice'" "$PURG_TMP/check.err" \
  "an unknown [languages] voice, with FILE:LINE"
if "$PURG_BIN" voices check --voices "$PURG_TMP/check.ini" >"$PURG_TMP/check.out" 2>&1; then
  purg_fail "voices check passed an unknown [languages] voice"
fi
purg_assert_grep 'unknown: \[languages\] fr = nosuchvoice' "$PURG_TMP/check.out" "voices check and [languages]"
purg_log "ok: each nick's lines in the voice of their language, identity kept"
