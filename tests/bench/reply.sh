#!/bin/bash
# reply.sh - replies on topic, before and after (BENCHMARKS.md "Replies on
# topic"): the bundled personas' corpora (demo/prepare.sh --out, from the
# Debian fortune, bible-kjv and jargon-text packages) and the whole King
# James Bible (as markov.sh makes it), the prompts of tests/data/prompts.tsv,
# bench_reply with each seed given (default 1 and 2).
# usage: tests/bench/reply.sh [BUILD_DIR] [SEED...]
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$src/build}
shift || true
seeds=("$@")
[ ${#seeds[@]} -gt 0 ] || seeds=(1 2)
work=${TMPDIR:-/tmp}/purg-bench-reply
mkdir -p "$work"
[ -x "$build/purgatory" ] && [ -x "$build/tests/bench_reply" ] || {
    cmake -S "$src" -B "$build" >/dev/null
    cmake --build "$build" -j2 --target purgatory bench_reply >/dev/null
}
"$src/demo/prepare.sh" --bin "$build/purgatory" --out "$work/demo" 2>/dev/null
command -v bible >/dev/null || { echo "reply.sh: apt-get install bible-kjv bible-kjv-text" >&2; exit 1; }
bible -f "Gen1:1-Rev22:21" | sed -E 's/^[1-3]?[A-Za-z]+[0-9]+:[0-9]+ //' > "$work/kjv.txt"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores," \
     "$(uname -sr), load $(cut -d' ' -f1-3 /proc/loadavg)"
for s in "${seeds[@]}"; do
    "$build/tests/bench_reply" -n 1000 --seed "$s" "$src/tests/data/prompts.tsv" \
        "$work"/demo/corpora/{bofh,hacker,oracle,prophet}.txt "$work/kjv.txt"
    echo
done
