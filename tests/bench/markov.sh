#!/bin/bash
# markov.sh - Markov engine benchmark on the King James Bible (Debian's
# bible-kjv-text, read with the bible program of bible-kjv): one verse per
# line, verse numbers stripped. Builds bench_markov if needed and runs it,
# then times the train and babble commands end to end.
# usage: tests/bench/markov.sh [BUILD_DIR] [SECONDS_PER_PHASE]
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$src/build-bench}
secs=${2:-3}
work=${TMPDIR:-/tmp}/purg-bench-markov
mkdir -p "$work"

if ! command -v bible >/dev/null; then
    echo "markov.sh: the 'bible' program is missing: apt-get install bible-kjv bible-kjv-text" >&2
    exit 1
fi
corpus=$work/kjv.txt
# "Ge1:1 In the beginning ..." -> "In the beginning ..."
bible -f "Gen1:1-Rev22:21" | sed -E 's/^[1-3]?[A-Za-z]+[0-9]+:[0-9]+ //' > "$corpus"
echo "corpus: $(wc -l < "$corpus") lines, $(wc -w < "$corpus") words, $(wc -c < "$corpus") bytes"

if [ ! -x "$build/tests/bench_markov" ]; then
    cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$build" -j2 --target bench_markov purgatory >/dev/null
fi
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores," \
     "$(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), $(uname -sr)"
bt=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build/CMakeCache.txt")
echo "build type: ${bt:-RelWithDebInfo (the project default: -O2 -g)}, $(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt")"
echo
"$build/tests/bench_markov" "$corpus" 2 "$secs"
echo
echo "CLI, end to end (process start, read, train, fsync'd save; then load and 1000 lines):"
/usr/bin/time -f "  train: %e s, peak RSS %M KB" "$build/purgatory" train "$corpus" -o "$work/kjv.model" -q
/usr/bin/time -f "  babble -n 1000: %e s, peak RSS %M KB" "$build/purgatory" babble "$work/kjv.model" -n 1000 --rng-seed 1 > /dev/null
ls -l "$work/kjv.model" | awk '{print "  model file: " $5 " bytes"}'
