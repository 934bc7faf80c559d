#!/usr/bin/env bash
# demo/prepare.sh - make the bundled personas' corpora (demo/corpora/*.txt)
# from Debian packages and train their models (demo/models/*.model).
#
# Usage: demo/prepare.sh [--bin PURGATORY] [--max-lines N] [--force]
#                        [--out DIR] [--available]
#
# Corpora come only from installed Debian packages (fortunes-bofh-excuses,
# fortunes, bible-kjv, jargon-text): nothing is downloaded. Each corpus is
# capped at --max-lines lines (default 2500) so that training takes about a
# second. Files already there are kept unless --force is given.
#
#   --out DIR     write DIR/corpora and DIR/models instead of the demo
#                 directory's own, and copy the persona files to
#                 DIR/personas (an installed `purgatory demo` prepares
#                 ~/.cache/purgatory/demo this way: share/purgatory is read-only)
#   --available   a corpus whose package is missing is skipped with a note
#                 (and, with --out, its persona left out) instead of failing
set -euo pipefail

demo_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bin=${PURG_BIN:-$demo_dir/../build/purgatory}
max=2500
force=0
out=
available=0
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) bin=$2; shift ;;
    --max-lines) max=$2; shift ;;
    --force) force=1 ;;
    --out) out=$2; shift ;;
    --available) available=1 ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "prepare.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ "$max" =~ ^[1-9][0-9]*$ ]] || { echo "prepare.sh: --max-lines wants a positive number" >&2; exit 2; }
[ -x "$bin" ] || { echo "prepare.sh: $bin is not an executable; build first (or --bin PATH)" >&2; exit 2; }

[ -n "$out" ] || out=$demo_dir
corpora=$out/corpora
models=$out/models
mkdir -p "$corpora" "$models"
if [ "$out" != "$demo_dir" ]; then
  mkdir -p "$out/personas"
  cp -f "$demo_dir"/personas/*.ini "$out/personas/"
fi
fortunes=/usr/share/games/fortunes

# need FILE PACKAGE NAME - false (with --available, after a note) when FILE is missing
need() {
  [ -e "$1" ] && return 0
  if [ "$available" = 1 ]; then
    echo "prepare.sh: $1 is missing (Debian package $2): persona $3 left out" >&2
    [ "$out" = "$demo_dir" ] || rm -f "$out/personas/$3.ini"
    return 1
  fi
  echo "prepare.sh: $1 is missing; install the Debian package $2" >&2
  exit 1
}

# fortune files: one fortune per line (its lines joined), attribution lines
# ("-- Someone") and very long ones dropped.
fortune_lines() {
  awk -v RS='\n%\n' '{
      gsub(/\t/, " ");
      n = split($0, l, "\n"); s = "";
      for (i = 1; i <= n; i++) {
        if (l[i] ~ /^[[:space:]]*(--|―)/) continue;
        if (l[i] ~ /^BOFH excuse #/) continue;
        s = s " " l[i];
      }
      gsub(/[[:space:]]+/, " ", s); sub(/^ /, "", s); sub(/ $/, "", s);
      if (length(s) >= 8 && length(s) <= 240) print s;
    }' "$@"
}

make_corpus() { # NAME (reads the corpus on stdin)
  local out=$corpora/$1.txt
  awk -v max="$max" 'NR <= max' >"$out.tmp"
  mv -f "$out.tmp" "$out"
  printf 'prepare.sh: %-8s %5d lines -> %s\n' "$1" "$(wc -l <"$out")" "$out" >&2
}

fresh() { [ "$force" = 1 ] || [ ! -s "$corpora/$1.txt" ]; }

if fresh bofh && need "$fortunes/bofh-excuses" fortunes-bofh-excuses bofh; then
  fortune_lines "$fortunes/bofh-excuses" | make_corpus bofh
fi
if fresh oracle && need "$fortunes/fortunes" fortunes oracle; then
  fortune_lines "$fortunes/fortunes" "$fortunes/wisdom" "$fortunes/computers" 2>/dev/null \
    | LC_ALL=C sort -u | shuf --random-source=<(yes) | make_corpus oracle
fi
if fresh prophet && need "$(command -v bible || echo /usr/bin/bible)" bible-kjv prophet; then
  COLUMNS=1000 bible -l1000 "Pr1:1-31:31" "Ec1:1-12:14" "Ps1:1-41:13" \
    | sed -n 's/^ *[0-9][0-9]* //p' | make_corpus prophet
fi
if fresh hacker && need /usr/share/doc/jargon-text/jargon.txt.gz jargon-text hacker; then
  # paragraphs of the entries' text, split into sentences
  zcat /usr/share/doc/jargon-text/jargon.txt.gz \
    | awk 'BEGIN { RS = "" } /^ *:/ { next } { gsub(/[{}]/, ""); gsub(/[[:space:]]+/, " "); print }' \
    | sed -n '1000,$p' | sed -e 's/^ *//' -e 's/\([.!?]\) \([A-Z]\)/\1\n\2/g' \
    | awk 'length($0) >= 20 && length($0) <= 240' | make_corpus hacker
fi

for c in bofh oracle prophet hacker; do
  [ -s "$corpora/$c.txt" ] || continue # left out (--available)
  if [ "$force" = 1 ] || [ ! -s "$models/$c.model" ] || [ "$corpora/$c.txt" -nt "$models/$c.model" ]; then
    "$bin" train -q --order 2 "$corpora/$c.txt" -o "$models/$c.model"
    printf 'prepare.sh: trained %s\n' "$models/$c.model" >&2
  fi
done
