#!/usr/bin/env bash
# demo_offline.sh - `purgatory demo` with no IRC server: two personas with
# pinned voices converse into a WAV file; the file holds audible speech and
# both voices spoke. Then a long text-only run (no audio) that must finish
# quickly, and a bad persona file that must be reported with file and line.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

purg_tmpdir
cat >"$PURG_TMP/corpus.txt" <<'TXT'
the server room is on fire again today
the coffee machine has a kernel panic
nobody reads the manual before the server room floods
my cat walked across the keyboard and rebooted the printer
the printer speaks only in riddles today
a cosmic ray flipped a bit in the coffee machine
the backup tapes were eaten by the printer
today the network is slow because of solar flares
TXT
mk() { # NICK VOICE
  cat >"$PURG_TMP/$1.ini" <<INI
[persona]
nick = $1
corpus = corpus.txt
order = 1
channels = #purgatory
chattiness = 5
reply_persona = 0.8
voice = $2
INI
}
mk ada "en-us+f2 70 60 160 -60"
mk bob "en-gb+m3 30 40 150 60"

"$PURG_BIN" demo --persona "$PURG_TMP/ada.ini" --persona "$PURG_TMP/bob.ini" \
  --output "$PURG_TMP/demo.wav" --lines 6 --seed 3 >"$PURG_TMP/demo.out" 2>"$PURG_TMP/demo.err" \
  || purg_fail "purgatory demo failed (status $?)"
n_ada=$(purg_count '^#purgatory <ada> \[en-us\+f2 ' "$PURG_TMP/demo.out")
n_bob=$(purg_count '^#purgatory <bob> \[en-gb\+m3 ' "$PURG_TMP/demo.out")
purg_log "ada spoke $n_ada lines, bob $n_bob"
purg_assert_ge "$n_ada" 1 "lines ada spoke in her pinned voice"
purg_assert_ge "$n_bob" 1 "lines bob spoke in his pinned voice"
purg_assert_eq "$(purg_count '^#purgatory <' "$PURG_TMP/demo.out")" 6 "lines spoken"
read -r secs rms < <(purg_wav_stats "$PURG_TMP/demo.wav") || purg_fail "demo.wav is not a valid WAV"
purg_log "demo.wav: ${secs}s, RMS $rms"
purg_assert_ge "$secs" 3 "seconds of audio for 6 lines"
purg_assert_ge "$rms" 0.01 "RMS amplitude of demo.wav (silence is 0)"

# the same seed gives the same conversation
"$PURG_BIN" demo --persona "$PURG_TMP/ada.ini" --persona "$PURG_TMP/bob.ini" \
  --audio none --lines 6 --seed 3 >"$PURG_TMP/again.out" 2>/dev/null || purg_fail "text-only demo failed"
diff <(sed -E 's/ \[[^]]*\]//' "$PURG_TMP/demo.out" | grep '^#') "$PURG_TMP/again.out" >/dev/null \
  || purg_fail "the same seed gave another conversation"

# nobody human in the room: the quiet rule (10 minutes) stops them
"$PURG_BIN" demo --persona "$PURG_TMP/ada.ini" --persona "$PURG_TMP/bob.ini" \
  --audio none --lines 5000 --seed 9 >"$PURG_TMP/quiet.out" 2>"$PURG_TMP/quiet.err" \
  || purg_fail "the quiet text-only demo failed"
grep -q 'everyone fell quiet' "$PURG_TMP/quiet.err" || purg_fail "the quiet rule did not stop the personas"
purg_assert_le "$(wc -l <"$PURG_TMP/quiet.out")" 400 "lines before the personas fell quiet"

# no audio at all, no quiet rule: many lines, fast
for p in ada bob; do
  sed 's/^chattiness = 5/chattiness = 5\nquiet_after = 0/' "$PURG_TMP/$p.ini" >"$PURG_TMP/${p}_loud.ini"
done
start=${EPOCHREALTIME/./}
"$PURG_BIN" demo --persona "$PURG_TMP/ada_loud.ini" --persona "$PURG_TMP/bob_loud.ini" \
  --audio none --lines 5000 --seed 9 >"$PURG_TMP/long.out" 2>"$PURG_TMP/long.err" \
  || purg_fail "the long text-only demo failed"
ms=$(( (${EPOCHREALTIME/./} - start) / 1000 ))
purg_log "5000 lines in ${ms} ms"
purg_assert_eq "$(wc -l <"$PURG_TMP/long.out")" 5000 "lines of the long run"
purg_assert_le "$ms" 20000 "milliseconds for 5000 text-only lines"

# a bad persona file: file and line, exit 1
printf '[persona]\nnick = ada\nchannels = purgatory\n' >"$PURG_TMP/bad.ini"
rc=0
"$PURG_BIN" demo --persona "$PURG_TMP/bad.ini" --audio none 2>"$PURG_TMP/bad.err" || rc=$?
purg_assert_eq "$rc" 1 "exit status for a bad persona file"
grep -q 'bad.ini:3: channels' "$PURG_TMP/bad.err" || purg_fail "no 'bad.ini:3:' in: $(cat "$PURG_TMP/bad.err")"
purg_log "ok"
