#!/usr/bin/env bash
# markov_cli.sh - `purgatory train` and `purgatory babble` end to end: plain
# text and IRC logs, --nick, --chars, mixing, replies, and clear failures on
# bad corpora and bad model files.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
purg_tmpdir
B=$PURG_BIN
T=$PURG_TMP

grep -q -- '--format' <<<"$("$B" train --help)" || purg_fail "train --help"
grep -q -- '--reply' <<<"$("$B" babble --help)" || purg_fail "babble --help"
grep -q 'train' <<<"$("$B" --help)" || purg_fail "train missing from purgatory --help"

# plain text: an order-2 model of three lines says only these five things
printf 'the cat sat on the mat\nthe dog sat on the log\na cat ran\n' > "$T/tiny.txt"
"$B" train "$T/tiny.txt" -o "$T/tiny.model" 2> "$T/train.err"
purg_assert_grep '3 lines read, 3 used, 0 skipped' "$T/train.err" "train summary"
"$B" babble "$T/tiny.model" -n 200 --no-overlap --rng-seed 4 > "$T/out.txt"
purg_assert_eq "$(wc -l < "$T/out.txt")" 200 "lines printed"
purg_assert_no_grep -v '^(the (cat|dog) sat on the (mat|log)|a cat ran)$' "$T/out.txt" "impossible line"
# ... and with the overlap test on, nothing new can be said
if "$B" babble "$T/tiny.model" --tries 20 2> "$T/babble.err"; then
    purg_fail "babble should fail when every line is a copy"
fi
purg_assert_grep 'rejected as a copy' "$T/babble.err" "overlap message"
# the same seed gives the same lines
a=$("$B" babble "$T/tiny.model" -n 5 --no-overlap --rng-seed 9)
b=$("$B" babble "$T/tiny.model" -n 5 --no-overlap --rng-seed 9)
purg_assert_eq "$a" "$b" "deterministic output"
"$B" babble "$T/tiny.model" --seed dog --no-overlap | grep -q 'dog' || purg_fail "--seed"
"$B" babble "$T/tiny.model" --reply "what did the DOG do?" --no-overlap | grep -q 'dog' || purg_fail "--reply"

# --verbose: the keywords and the score; the older method stays selectable
"$B" babble "$T/tiny.model" --reply "what did the DOG do?" --no-overlap -v --rng-seed 2 \
    > "$T/out.txt" 2> "$T/verbose.err"
purg_assert_grep 'dog' "$T/out.txt" "--reply -v reply"
purg_assert_grep '^purgatory babble: keywords: .*dog \([0-9.]+ bits\)' "$T/verbose.err" "--verbose keywords"
purg_assert_grep '^purgatory babble: score [-0-9.]+ = coverage' "$T/verbose.err" "--verbose score"
"$B" babble "$T/tiny.model" --reply "what did the dog do?" --reply-method simple --no-overlap \
    | grep -q 'dog' || purg_fail "--reply-method simple"
# option errors: the subcommand's prefix, what is wrong, exit status 2
usage_err() { # usage_err PATTERN CMD... - exit status 2 and PATTERN on stderr
    local pat=$1 rc
    shift
    set +e; "$@" > /dev/null 2> "$T/err"; rc=$?; set -e
    purg_assert_eq "$rc" 2 "exit status of $*"
    purg_assert_grep "$pat" "$T/err" "message of $*"
}
usage_err "^purgatory babble: bad value 'best' for --reply-method" "$B" babble "$T/tiny.model" --reply x --reply-method best
usage_err "^purgatory babble: unknown option '--bogus'" "$B" babble "$T/tiny.model" --bogus
usage_err "^purgatory babble: --tries needs a value" "$B" babble "$T/tiny.model" --tries
usage_err "^purgatory babble: bad value '0' for --tries" "$B" babble "$T/tiny.model" --tries 0
usage_err "^purgatory babble: unknown option '-x'" "$B" babble "$T/tiny.model" -x
usage_err "^purgatory train: unknown option '--bogus'" "$B" train "$T/tiny.txt" -o "$T/x.model" --bogus
usage_err "^purgatory train: -o needs a value" "$B" train "$T/tiny.txt" -o
# --help shows the defaults the engine uses
grep -q -- '--tries N .*(default 100)' <<<"$("$B" babble --help)" || purg_fail "babble --help default of --tries"

# train --forget: one person's learned lines out of a MODEL.learned
printf '# purgatory learned lines 1\nalice\t1\tthe cat sat\nbob\t2\tthe dog ran\nAlice\t3\tthe mat\n' \
    > "$T/tiny.model.learned"
"$B" train --forget alice "$T/tiny.model" 2> "$T/forget.err" || purg_fail "train --forget"
purg_assert_grep 'forgot 2 lines of alice, 1 kept' "$T/forget.err" "--forget summary"
purg_assert_no_grep 'alice|cat sat' "$T/tiny.model.learned" "alice's lines after --forget"
purg_assert_grep '^bob	2	the dog ran$' "$T/tiny.model.learned" "bob's line kept"
set +e; "$B" train --forget alice "$T/tiny.txt" 2> "$T/err"; rc=$?; set -e
purg_assert_grep 'does not exist: nothing was learned there' "$T/err" "--forget without a learned file"
purg_assert_eq "$rc" 0 "--forget where nothing was learned"
cp "$T/tiny.txt" "$T/notlearned.learned"
set +e; "$B" train --forget alice "$T/notlearned.learned" 2> "$T/err"; rc=$?; set -e
purg_assert_eq "$rc" 1 "--forget on a file that is not a learned-lines file"
purg_assert_grep 'is not a learned-lines file' "$T/err" "--forget on a foreign file"
usage_err "^purgatory train: --forget alice: give the files" "$B" train --forget alice

# an irssi log, one speaker only
cat > "$T/irssi.log" <<'LOG'
--- Log opened Mon Jan 01 00:00:00 2024
12:00 -!- alice [~a@host] has joined #purgatory
12:01 <@alice> good morning everyone
12:01 < bob> bob says hello
12:02 <@alice> the coffee is ready
12:03  * alice waves
LOG
"$B" train "$T/irssi.log" --format irssi --nick Alice -o "$T/alice.model" 2> "$T/train.err"
purg_assert_grep '2 used' "$T/train.err" "irssi lines used"
purg_assert_grep '1 other nicks' "$T/train.err" "irssi other nicks"
"$B" babble "$T/alice.model" -n 50 --no-overlap > "$T/out.txt"
purg_assert_no_grep 'bob|waves|joined' "$T/out.txt" "other speakers or events"

# mixing two models by weight
printf 'red apple\nred cherry\n' > "$T/red.txt"
printf 'blue sky\nblue sea\n' > "$T/blue.txt"
"$B" train "$T/red.txt" -o "$T/red.model" -q
"$B" train "$T/blue.txt" -o "$T/blue.model" -q
"$B" babble "$T/red.model" "$T/blue.model" --weights 9,1 -n 1000 --no-overlap --rng-seed 1 > "$T/out.txt"
nred=$(purg_count '^red' "$T/out.txt")
purg_assert_ge "$nred" 850 "red lines at weight 9:1"
purg_assert_le "$nred" 950 "red lines at weight 9:1"

# names from a list of names, character by character
printf 'Tatooine\nAlderaan\nCoruscant\nDagobah\nNaboo\nKashyyyk\nHoth\nEndor\nBespin\nMustafar\n' > "$T/planets.txt"
"$B" train "$T/planets.txt" --chars --order 2 -o "$T/planets.model" -q
"$B" babble "$T/planets.model" -n 10 > "$T/out.txt"
purg_assert_eq "$(wc -l < "$T/out.txt")" 10 "planet names"

# bad corpora: missing, empty, nothing but invalid UTF-8
if "$B" train "$T/nope.txt" -o "$T/x.model" 2> "$T/err"; then purg_fail "missing corpus accepted"; fi
purg_assert_grep 'cannot read' "$T/err" "missing corpus message"
: > "$T/empty.txt"
if "$B" train "$T/empty.txt" -o "$T/x.model" 2> "$T/err"; then purg_fail "empty corpus accepted"; fi
purg_assert_grep 'no usable line' "$T/err" "empty corpus message"
printf 'bad \xff\xfe\n\x00\x00\n' > "$T/bin.txt"
if "$B" train "$T/bin.txt" -o "$T/x.model" 2> "$T/err"; then purg_fail "binary corpus accepted"; fi
purg_assert_grep '1 invalid UTF-8, 1 NUL bytes' "$T/err" "skip counts"
[ ! -e "$T/x.model" ] || purg_fail "a model was written from nothing"
if "$B" train "$T/tiny.txt" 2> "$T/err"; then purg_fail "train without -o"; fi
set +e; "$B" train "$T/tiny.txt" -o "$T/x.model" --order 99 2>/dev/null; rc=$?; set -e
purg_assert_eq "$rc" 2 "usage error status"

# bad model files: truncated, corrupted, not a model
head -c 100 "$T/tiny.model" > "$T/cut.model"
if "$B" babble "$T/cut.model" 2> "$T/err"; then purg_fail "truncated model accepted"; fi
purg_assert_grep 'truncated' "$T/err" "truncated message"
cp "$T/tiny.model" "$T/flip.model"
printf '\x55' | dd of="$T/flip.model" bs=1 seek=90 conv=notrunc 2>/dev/null
if "$B" babble "$T/flip.model" 2> "$T/err"; then purg_fail "corrupted model accepted"; fi
purg_assert_grep 'checksum' "$T/err" "corruption message"
if "$B" babble "$T/irssi.log" 2> "$T/err"; then purg_fail "text accepted as a model"; fi
purg_assert_grep 'not a purgatory model' "$T/err" "magic message"
# FIFOs, devices and directories are refused at once, naming the file and
# what it is (a FIFO used to block forever); timeout turns a regression into
# a failure instead of a hang
mkfifo "$T/fifo"
mkdir -p "$T/adir"
refused() { # refused WHAT PATTERN CMD... - exit status 2 and PATTERN on stderr, in 10 s
    local what=$1 pat=$2 rc
    shift 2
    set +e; timeout 10 "$@" < /dev/null > /dev/null 2> "$T/err"; rc=$?; set -e
    [ "$rc" != 124 ] || purg_fail "$what: hung (timeout)"
    purg_assert_eq "$rc" 2 "$what: exit status"
    purg_assert_grep "$pat" "$T/err" "$what: message"
}
refused "babble FIFO" "purgatory babble: $T/fifo is a FIFO, not a model file" "$B" babble "$T/fifo"
refused "babble /dev/null" "/dev/null is a character device, not a model file" "$B" babble /dev/null
refused "babble directory" "$T/adir is a directory, not a model file" "$B" babble "$T/adir"
refused "train FIFO corpus" "purgatory train: $T/fifo is a FIFO, not a corpus file" "$B" train "$T/fifo" -o "$T/f.model"
refused "train /dev/zero corpus" "/dev/zero is a character device, not a corpus file" \
    "$B" train /dev/zero -o "$T/f.model"
refused "train directory corpus" "$T/adir is a directory, not a corpus file" "$B" train "$T/adir" -o "$T/f.model"
refused "train -o FIFO" "$T/fifo is a FIFO, not a model file" "$B" train "$T/tiny.txt" -o "$T/fifo"
refused "train -o directory" "$T/adir is a directory, not a model file" "$B" train "$T/tiny.txt" -o "$T/adir"
[ -p "$T/fifo" ] || purg_fail "train -o replaced the FIFO"
[ ! -e "$T/f.model" ] || purg_fail "a refused train wrote a model"
# standard input stays a corpus
timeout 10 "$B" train - -o "$T/stdin.model" -q < "$T/tiny.txt" || purg_fail "train from stdin"
timeout 10 "$B" babble "$T/stdin.model" --no-overlap --rng-seed 1 > /dev/null || purg_fail "stdin model"
purg_log "ok"
