#!/usr/bin/env bash
# demo_offline.sh - `purgatory demo` with no IRC server: two personas with
# pinned voices converse into a WAV file; the file holds audible speech and
# both voices spoke. Then a long text-only run (no audio) that must finish
# quickly; the presenter's options (--says, --pronounce, --record, --mute,
# --ignore, and those refused offline); and a bad persona file that must be
# reported with file and line.
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

# the presenter's options offline, on the listener's own path: "X says" exactly
# when the speaker changes, a spoken name, and a recording of what was played;
# the conversation is the same as without them
"$PURG_BIN" demo --persona "$PURG_TMP/ada.ini" --persona "$PURG_TMP/bob.ini" --audio null \
  --lines 12 --seed 1 --says change --pronounce 'ada=Ada Lovelace' --record "$PURG_TMP/rec.wav" \
  >"$PURG_TMP/says.out" 2>"$PURG_TMP/says.err" || purg_fail "demo --says change failed: $(cat "$PURG_TMP/says.err")"
purg_assert_eq "$(purg_count '^#purgatory <' "$PURG_TMP/says.out")" 12 "lines spoken with --says change"
bad=$(awk '{ s = ($0 ~ / says: /); if (s != ($2 != prev)) print NR ": " $0; prev = $2 }' "$PURG_TMP/says.out")
[ -z "$bad" ] || purg_fail "\"X says\" not exactly at the speaker changes: $bad"
purg_assert_ge "$(purg_count '^#purgatory <ada> \[[^]]*\] Ada Lovelace says: ' "$PURG_TMP/says.out")" 1 \
  "lines announced as 'Ada Lovelace says'"
purg_assert_eq "$(purg_count ' ada says: ' "$PURG_TMP/says.out")" 0 "lines announced as 'ada says'"
purg_assert_ge "$(awk '$0 !~ / says: /' "$PURG_TMP/says.out" | wc -l)" 1 "lines without 'says' (same speaker)"
"$PURG_BIN" demo --persona "$PURG_TMP/ada.ini" --persona "$PURG_TMP/bob.ini" --audio none \
  --lines 12 --seed 1 >"$PURG_TMP/says_text.out" 2>/dev/null || purg_fail "text-only demo (seed 1) failed"
diff <(awk '{ print $2 }' "$PURG_TMP/says.out") <(awk '{ print $2 }' "$PURG_TMP/says_text.out") >/dev/null \
  || purg_fail "the presenter options changed the conversation"
read -r secs rms < <(purg_wav_stats "$PURG_TMP/rec.wav") || purg_fail "rec.wav (--record) is not a valid WAV"
purg_log "rec.wav: ${secs}s, RMS $rms"
purg_assert_ge "$secs" 3 "seconds recorded for 12 lines"
purg_assert_ge "$rms" 0.01 "RMS amplitude of rec.wav"

# --says always, a muted persona and an ignored one are never spoken
"$PURG_BIN" demo --persona "$PURG_TMP/ada.ini" --persona "$PURG_TMP/bob.ini" --audio null \
  --lines 8 --seed 2 --says always --mute BOB >"$PURG_TMP/mute.out" 2>/dev/null || purg_fail "demo --mute failed"
purg_assert_eq "$(purg_count '^#purgatory <bob>' "$PURG_TMP/mute.out")" 0 "lines of muted bob"
purg_assert_ge "$(purg_count '^#purgatory <ada>' "$PURG_TMP/mute.out")" 1 "lines of ada beside muted bob"
purg_assert_eq "$(purg_count ' ada says: ' "$PURG_TMP/mute.out")" "$(purg_count '^#purgatory <' "$PURG_TMP/mute.out")" \
  "lines with 'ada says' under --says always"
"$PURG_BIN" demo --persona "$PURG_TMP/ada.ini" --persona "$PURG_TMP/bob.ini" --audio null \
  --lines 8 --seed 2 --ignore 'a*' >"$PURG_TMP/ignore.out" 2>/dev/null || purg_fail "demo --ignore failed"
purg_assert_eq "$(purg_count '^#purgatory <ada>' "$PURG_TMP/ignore.out")" 0 "lines of ignored ada"
purg_assert_ge "$(purg_count '^#purgatory <bob>' "$PURG_TMP/ignore.out")" 1 "lines of bob beside ignored ada"

# presenter options that do not fit: exit 2 with the reason, named as the demo's
demo_refuses() { # WHAT-TO-FIND OPTION...
  local want=$1 rc=0
  shift
  "$PURG_BIN" demo --persona "$PURG_TMP/ada.ini" "$@" 2>"$PURG_TMP/refused.err" >/dev/null || rc=$?
  purg_assert_eq "$rc" 2 "exit status for demo $*"
  grep -q "^purgatory demo: .*$want" "$PURG_TMP/refused.err" \
    || purg_fail "demo $*: no 'purgatory demo: ...$want' in: $(cat "$PURG_TMP/refused.err")"
}
demo_refuses 'nothing to announce' --announce-joins --audio null
demo_refuses 'need speech' --says always --audio none
demo_refuses 'needs the sound card' --control "$PURG_TMP/fifo" --output "$PURG_TMP/x.wav"
demo_refuses "not 'sometimes'" --says sometimes
demo_refuses 'FILE.wav or FILE.flac' --record "$PURG_TMP/x.mp3"

# a bad persona file: file and line, exit 1
printf '[persona]\nnick = ada\nchannels = purgatory\n' >"$PURG_TMP/bad.ini"
rc=0
"$PURG_BIN" demo --persona "$PURG_TMP/bad.ini" --audio none 2>"$PURG_TMP/bad.err" || rc=$?
purg_assert_eq "$rc" 1 "exit status for a bad persona file"
grep -q 'bad.ini:3: channels' "$PURG_TMP/bad.err" || purg_fail "no 'bad.ini:3:' in: $(cat "$PURG_TMP/bad.err")"
purg_log "ok"
