#!/bin/bash
# keywords.sh - what a reply costs as the vocabulary grows (BENCHMARKS.md,
# "Keyword lookup and vocabulary size"): bench_keywords on the whole King
# James Bible (as markov.sh makes it), alone and with WORDS made-up distinct
# words added (default 1,000,000), the prompts of tests/data/prompts.tsv.
# usage: tests/bench/keywords.sh [BUILD_DIR] [WORDS] [SEED]
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$src/build}
words=${2:-1000000}
seed=${3:-1}
work=${TMPDIR:-/tmp}/purg-bench-keywords
mkdir -p "$work"
[ -x "$build/tests/bench_keywords" ] || {
    cmake -S "$src" -B "$build" >/dev/null
    cmake --build "$build" -j2 --target bench_keywords >/dev/null
}
command -v bible >/dev/null || { echo "keywords.sh: apt-get install bible-kjv bible-kjv-text" >&2; exit 1; }
bible -f "Gen1:1-Rev22:21" | sed -E 's/^[1-3]?[A-Za-z]+[0-9]+:[0-9]+ //' > "$work/kjv.txt"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores," \
     "$(uname -sr), load $(cut -d' ' -f1-3 /proc/loadavg)"
"$build/tests/bench_keywords" --seed "$seed" --words "$words" "$src/tests/data/prompts.tsv" "$work/kjv.txt"
