#!/usr/bin/env bash
# profile.sh - where purgatory's overhead over espeak-ng goes: the listener
# (--audio null) speaks N sentences from ngircd under callgrind or perf, and
# bench_espeak speaks the same lines under the same tool. Not part of ctest;
# see BENCHMARKS.md, "Overhead over espeak-ng".
#
# usage: tests/bench/profile.sh [--tool callgrind|perf] [--lines N]
#          [--interval S] [--nicks K] [BUILD_DIR]
#   callgrind (default): instruction counts (Ir), repeatable on a busy
#     machine. The listener's counters are zeroed once it has joined, so the
#     figure covers the lines only; bench_espeak counts inside its espeak_*
#     calls only (its loop). Prints both totals and their ratio, and leaves
#     the callgrind files for callgrind_annotate in the kept temp dir.
#   perf: perf record -g of both; prints the top of each report.
#   --nicks 1 sends every line from one nick (one voice, no voice change);
#     the default 3 changes the voice on every line.
# Set PURG_KEEP=1 to keep the temp dir with the raw files.
set -euo pipefail
PURG_TEST_NAME=profile
. "$(dirname "$0")/../integration/lib.sh"

tool=callgrind lines=200 interval=0.4 nicks=3 build=
while [ $# -gt 0 ]; do
  case "$1" in
    --tool) tool=$2; shift ;;
    --lines) lines=$2; shift ;;
    --interval) interval=$2; shift ;;
    --nicks) nicks=$2; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) build=$1 ;;
  esac
  shift
done
build=${build:-$PURG_SOURCE_DIR/build-bench}
PURG_BIN=$build/purgatory
BENCH_ESPEAK=$build/tests/bench_espeak
[ -x "$PURG_BIN" ] && [ -x "$BENCH_ESPEAK" ] || purg_fail "build first (Release): $build"
case "$tool" in
  callgrind) command -v valgrind >/dev/null || purg_fail "valgrind not installed" ;;
  perf) command -v perf >/dev/null || purg_fail "perf not installed" ;;
  *) purg_fail "--tool callgrind or perf" ;;
esac

purg_tmpdir
purg_start_ngircd
out=$PURG_TMP/$tool
mkdir -p "$out"
if [ "$tool" = callgrind ]; then
  wrap=(valgrind --tool=callgrind --callgrind-out-file="$out/listener.%p")
else
  wrap=(perf record -g -o "$out/listener.data" --)
fi
purg_spawn listener "${wrap[@]}" "$PURG_BIN" listen --server 127.0.0.1 --port "$PURG_IRC_PORT" \
  --nick ear --channel '#bench' --audio null --queue 100000 --timing "$out/timing.txt"
PURG_LISTENER_OUT="$PURG_TMP/listener.out"
PURG_LISTENER_ERR="$PURG_TMP/listener.err"
purg_wait_for 'joined #bench' "$PURG_LISTENER_ERR" 120 || purg_fail "the listener did not join"
sleep 0.5
if [ "$tool" = callgrind ]; then
  vg=$(pgrep -f "callgrind-out-file=$out/listener" | head -1)
  callgrind_control -z "$vg" >/dev/null
fi
purg_log "$lines sentences from $nicks nick(s), one every $interval s"
"$PURG_PYTHON" "$PURG_SOURCE_DIR/tests/bench/ircbench.py" --port "$PURG_IRC_PORT" \
  --channel '#bench' --wait-nick ear --nicks "$nicks" \
  pace --count "$lines" --interval "$interval" --text sentence >/dev/null
purg_wait_for '<bench' "$PURG_LISTENER_OUT" 600 "$lines" || purg_fail "not every line was spoken"
sleep 1
purg_stop listener 15 || true
cp "$PURG_LISTENER_OUT" "$out/lines.txt"
speech=$(awk '{ f += $6 } END { printf "%.3f", f / 22050 }' "$out/timing.txt")

if [ "$tool" = callgrind ]; then
  for mode in each cached; do
    flag=(); [ "$mode" = cached ] && flag=(--cache-voice)
    valgrind --tool=callgrind --callgrind-out-file="$out/espeak-$mode" --collect-atstart=no \
      --toggle-collect=espeak_Synth --toggle-collect=espeak_SetVoiceByName \
      --toggle-collect=espeak_SetParameter "$BENCH_ESPEAK" "${flag[@]}" "$out/lines.txt" \
      >"$out/espeak-$mode.txt" 2>"$out/espeak-$mode.err"
  done
  total() { awk '/^totals:|^summary:/ { print $2; exit }' "$1"; }
  l=$(total "$(ls "$out"/listener.* | head -1)")
  e=$(total "$out/espeak-each") c=$(total "$out/espeak-cached")
  echo "speech: $speech s in $lines lines from $nicks nick(s)"
  echo "bench_espeak, voice set every line: $(cat "$out/espeak-each.txt")"
  echo "bench_espeak, voice set on change:  $(cat "$out/espeak-cached.txt")"
  awk -v l="$l" -v e="$e" -v c="$c" 'BEGIN {
    printf "Ir listener (all threads, after join): %.0f\n", l
    printf "Ir bench_espeak (voice every line):    %.0f  listener %+.1f%%\n", e, (l / e - 1) * 100
    printf "Ir bench_espeak (voice on change):     %.0f  listener %+.1f%%\n", c, (l / c - 1) * 100 }'
  echo "annotate: callgrind_annotate --inclusive=yes $(ls "$out"/listener.* | head -1) | head -40"
else
  perf record -g -o "$out/espeak.data" -- "$BENCH_ESPEAK" "$out/lines.txt" >"$out/espeak.txt" 2>/dev/null
  echo "speech: $speech s in $lines lines; bench_espeak: $(cat "$out/espeak.txt")"
  echo "== listener =="
  perf report -i "$out/listener.data" --no-children --sort dso,sym --stdio 2>/dev/null | grep -v '^#' | grep '%' | head -25
  echo "== bench_espeak =="
  perf report -i "$out/espeak.data" --no-children --sort dso,sym --stdio 2>/dev/null | grep -v '^#' | grep '%' | head -15
fi
echo "raw files: $out (kept with PURG_KEEP=1)"
