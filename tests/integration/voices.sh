#!/usr/bin/env bash
# voices.sh - `purgatory voices`: explain is stable across processes and
# matches the golden list, salt and overrides work, bad files name file and
# line, check finds unknown variants and look-alikes, and preview --output
# writes one audible stretch per nick, placed where the voice's pan says.
set -euo pipefail

BIN=${PURG_BIN:?PURG_BIN must name the purgatory binary}
SRC=${PURG_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
mkdir -p "${PURG_TEST_TMP:-/tmp}"
T=$(mktemp -d "${PURG_TEST_TMP:-/tmp}/voices.XXXXXX")
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# --- stability: two processes, and the golden list --------------------------
mapfile -t nicks < <(grep -v '^#' "$SRC/tests/data/voicemap_golden.txt" | cut -d' ' -f1)
[ "${#nicks[@]}" -eq 50 ] || fail "golden list has ${#nicks[@]} nicks, expected 50"
"$BIN" voices explain --alone --voices "$SRC/voices/default.ini" "${nicks[@]}" > "$T/run1"
"$BIN" voices explain --alone --voices "$SRC/voices/default.ini" "${nicks[@]}" > "$T/run2"
cmp -s "$T/run1" "$T/run2" || fail "two runs of explain differ"
# nick norm hash id, as the golden file has them
sed -E 's/^([^ ]+)  norm=([^ ]+) hash=([0-9a-f]+) voice=[^ ]+ \(([^)]+)\).*/\1 \2 \3 \4/' "$T/run1" > "$T/got"
grep -v '^#' "$SRC/tests/data/voicemap_golden.txt" > "$T/want"
diff -u "$T/want" "$T/got" || fail "explain disagrees with tests/data/voicemap_golden.txt"

# --- nick variants keep the voice ---------------------------------------------
"$BIN" voices explain avi Avi avi_ 'avi|away' 'avi[m]' avi2 > "$T/variants"
n=$(sed -E 's/^[^ ]+  //' "$T/variants" | sort -u | wc -l)
[ "$n" -eq 1 ] || { cat "$T/variants"; fail "nick variants got $n different voices"; }

# --- salt ---------------------------------------------------------------------
"$BIN" voices explain --alone --salt s1 "${nicks[@]}" > "$T/s1a"
"$BIN" voices explain --alone --salt s1 "${nicks[@]}" > "$T/s1b"
cmp -s "$T/s1a" "$T/s1b" || fail "the same salt gave different mappings"
changed=$(paste -d'\n' "$T/run1" "$T/s1a" | paste - - | awk -F'\t' '{ split($1,a," voice="); split($2,b," voice="); if (a[2] != b[2]) c++ } END { print c+0 }')
[ "$changed" -ge 30 ] || fail "salt moved only $changed of 50 nicks"

# --- overrides: pinned, and somebody displaced by the pin ---------------------
cat > "$T/pins.ini" <<'EOF'
[voices]
low  = en+m1 40 50 160
high = en-us+f2 64 60 180
scot = en-gb-scotland+m3 50 50 150
[overrides]
avi = scot
EOF
# find a nick whose first choice is scot (pool index 2) when alone
who=
for c in a b c d e f g h i j k l m n o p q r s t u v w x y z; do
    line=$("$BIN" voices explain --voices "$T/pins.ini" "zz$c")
    case $line in *"(scot)"*) who="zz$c"; break ;; esac
done
[ -n "$who" ] || fail "no test nick hashes to the pinned voice"
"$BIN" voices explain --voices "$T/pins.ini" avi "$who" > "$T/pinned"
grep -q '^avi .*(scot).*pinned$' "$T/pinned" || { cat "$T/pinned"; fail "avi not pinned"; }
grep -q "^$who .*displaced (first choice scot is held by avi)" "$T/pinned" ||
    { cat "$T/pinned"; fail "$who not displaced by the pin"; }

# --- bad files: file, line, problem; exit 1 -----------------------------------
printf '[voices]\na = en+m1\nb = en-us 50 50 9000\n' > "$T/bad.ini"
if "$BIN" voices list --voices "$T/bad.ini" > /dev/null 2> "$T/err"; then fail "bad file accepted"; fi
grep -q "$T/bad.ini:3: voice 'b': bad rate '9000'" "$T/err" || { cat "$T/err"; fail "bad error message"; }
if "$BIN" voices list --voices "$T/missing.ini" 2> "$T/err"; then fail "missing file accepted"; fi
grep -q "$T/missing.ini: cannot open" "$T/err" || { cat "$T/err"; fail "bad message for a missing file"; }
if "$BIN" voices frobnicate 2> /dev/null; then fail "unknown subcommand accepted"; fi

# --- list and check -------------------------------------------------------------
pool=$(grep -cE '^[a-z][a-z0-9-]* *=' <(sed -n '/^\[voices\]/,/^\[overrides\]/p' "$SRC/voices/default.ini"))
listed=$("$BIN" voices list --voices "$SRC/voices/default.ini" | grep -vc '^#')
[ "$listed" -eq "$pool" ] || fail "list shows $listed voices, the file has $pool"
"$BIN" voices check --voices "$SRC/voices/default.ini" > "$T/check" || { cat "$T/check"; fail "default pool fails check"; }
for f in "$SRC"/voices/*.ini; do
    "$BIN" voices check --voices "$f" > "$T/check" || { cat "$T/check"; fail "$f fails check"; }
done
cat > "$T/alike.ini" <<'EOF'
[voices]
a = en+m1 50 50 170
b = en+zz7
c = en+m1 55 50 175
d = xx-nope
EOF
if "$BIN" voices check --voices "$T/alike.ini" > "$T/check"; then cat "$T/check"; fail "check passed a bad pool"; fi
grep -q "alike.ini:3: unknown: b = en+zz7: .*no variant '+zz7'" "$T/check" || { cat "$T/check"; fail "unknown variant not reported"; }
grep -q "alike.ini:5: unknown: d = xx-nope" "$T/check" || { cat "$T/check"; fail "unknown voice not reported"; }
grep -q "alike.ini:4: too alike: c .* and a " "$T/check" || { cat "$T/check"; fail "look-alikes not reported"; }

# --- preview: one audible stretch per nick, panned ----------------------------
"$BIN" voices preview --output "$T/p.wav" avi eve bob carol > "$T/preview"
[ "$(wc -l < "$T/preview")" -eq 4 ] || fail "preview did not name 4 voices"
pans=$(sed -E 's/.*pan=([-+0-9]+).*/\1/' "$T/preview" | tr '\n' ' ')
python3 - "$T/p.wav" $pans <<'EOF'
import sys, wave, struct, math
w = wave.open(sys.argv[1])
assert w.getnchannels() == 2, "preview must be stereo"
rate = w.getframerate()
data = w.readframes(w.getnframes())
s = struct.unpack('<%dh' % (len(data) // 2), data)
win = rate // 50  # 20 ms
stretches, cur, quiet = [], None, 0
for i in range(0, len(s) // 2 - win, win):
    l = sum(x * x for x in s[2*i:2*(i+win):2]); r = sum(x * x for x in s[2*i+1:2*(i+win):2])
    loud = math.sqrt((l + r) / (2 * win)) > 300
    if loud:
        if cur is None:
            cur = [0.0, 0.0]; stretches.append(cur)
        cur[0] += l; cur[1] += r; quiet = 0
    elif cur is not None:
        quiet += 1
        if quiet * 20 >= 300:
            cur = None
pans = [int(p) for p in sys.argv[2:]]
assert len(stretches) == len(pans), "%d audible stretches for %d nicks" % (len(stretches), len(pans))
for (l, r), pan in zip(stretches, pans):
    bal = (r - l) / (r + l)  # -1 left .. +1 right
    if pan < -20: assert bal < -0.1, "pan %d but balance %.2f" % (pan, bal)
    if pan > 20: assert bal > 0.1, "pan %d but balance %.2f" % (pan, bal)
print("preview: %d stretches, balances %s" % (len(stretches), ["%.2f" % ((r - l) / (r + l)) for l, r in stretches]))
EOF
echo "voices.sh: ok"
