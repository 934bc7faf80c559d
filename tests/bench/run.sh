#!/usr/bin/env bash
# run.sh - purgatory's listener benchmarks: latency, overhead over espeak-ng,
# intake rate, idle cost, start-up. Not part of ctest; see BENCHMARKS.md.
#
# usage: tests/bench/run.sh [--quick] [--only NAME[,NAME...]] [BUILD_DIR]
#   BUILD_DIR  a Release build with purgatory and bench_espeak
#              (default: build-bench; cmake -DCMAKE_BUILD_TYPE=Release)
#   --quick    fewer lines and shorter windows (a smoke run, not the record)
#   --only     latency, naive, overhead, device, intake, idle, startup
#   PURG_BENCH_IDLE_S, PURG_BENCH_IDLE_LONG (environment): the idle windows
#
# Needs ngircd, espeak-ng, python3 and, for the real-time device path, a
# PulseAudio server with a null sink (packages pulseaudio pulseaudio-utils
# libasound2-plugins; listed in tests/packages.txt). Everything runs on
# loopback in a private temp dir; raw results stay in $PURG_TMP when
# PURG_KEEP=1. The table goes to stdout, progress to stderr.
set -euo pipefail
PURG_TEST_NAME=bench
. "$(dirname "$0")/../integration/lib.sh"

quick=0 only=all build=
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --only) only=$2; shift ;;
    -h|--help) sed -n "2,16p" "$0"; exit 0 ;;
    *) build=$1 ;;
  esac
  shift
done
build=${build:-$PURG_SOURCE_DIR/build-bench}
PURG_BIN=$build/purgatory
BENCH_ESPEAK=$build/tests/bench_espeak
[ -x "$PURG_BIN" ] && [ -x "$BENCH_ESPEAK" ] \
  || purg_fail "build first: cmake -S . -B $build -DCMAKE_BUILD_TYPE=Release && cmake --build $build -j2"
BENCH_DIR=$PURG_SOURCE_DIR/tests/bench
tool() { "$PURG_PYTHON" "$BENCH_DIR/benchtool.py" "$@"; }
want() { [ "$only" = all ] || [[ ",$only," == *",$1,"* ]]; }

if [ "$quick" = 1 ]; then
  N_EMPTY=60 N_PAUSE=3 N_COLD=2 N_BATCHES=3 N_NAIVE=40 N_OVER=1000 N_ROUNDS=1 N_DEV=5 IDLE_S=10 IDLE_LONG=20 N_START=5
  RATES="20000" FLOOD_S=2
else
  N_EMPTY=1000 N_PAUSE=10 N_COLD=10 N_BATCHES=40 N_NAIVE=200 N_OVER=1500 N_ROUNDS=5 N_DEV=20 IDLE_S=60 IDLE_LONG=180 N_START=20
  RATES="5000 10000 20000 40000 80000" FLOOD_S=5
fi
IDLE_S=${PURG_BENCH_IDLE_S:-$IDLE_S} IDLE_LONG=${PURG_BENCH_IDLE_LONG:-$IDLE_LONG}
WARMUP=2 BATCH=11
# seconds of silence after which src/audio.c closes a real-time device stream
IDLE_WALL=$(awk '$2 == "IDLE_WALL_S" { print $3 }' "$PURG_SOURCE_DIR/src/audio.c")
[ -n "$IDLE_WALL" ] || purg_fail "IDLE_WALL_S not found in src/audio.c"
PAUSE_S=$((IDLE_WALL * 2 / 3)) COLD_S=$((IDLE_WALL + 3))

purg_tmpdir
purg_start_ngircd
results=$PURG_TMP/results.txt
: >"$results"
say() { printf '%s\n' "$*" | tee -a "$results" >&2; }

# listener NAME ARGS... - a fresh listener joined to #bench
listener() {
  local name=$1
  shift
  if [ -n "${_purg_pids[listener]:-}" ]; then
    purg_stop_listener 15 >/dev/null || true
    mv "$PURG_TMP/listener.out" "$PURG_TMP/prev-$name.out" 2>/dev/null || true
    unset '_purg_pids[listener]' '_purg_status[listener]'
  fi
  rm -f "$PURG_TMP/listener.out" "$PURG_TMP/listener.err"
  purg_start_listener --nick ear --channel '#bench' "$@"
  purg_wait_for 'joined #bench' "$PURG_LISTENER_ERR" 20 || purg_fail "the listener did not join #bench"
}
bench() { "$PURG_PYTHON" "$BENCH_DIR/ircbench.py" --port "$PURG_IRC_PORT" --channel '#bench' --wait-nick ear "$@"; }
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

say "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs, $(uname -r); load $(cut -d' ' -f1-3 /proc/loadavg)"
say "purgatory: $PURG_BIN ($(grep -m1 CMAKE_BUILD_TYPE "$build/CMakeCache.txt" | cut -d= -f2)), espeak-ng $(espeak-ng --version | awk '{print $4}')"

# --- latency: device path in real time -------------------------------------------
if want latency || want naive; then
  purg_start_pulse
  listener latency --timing "$PURG_TMP/timing.txt"
fi
if want latency; then
  n_total=$((WARMUP + N_EMPTY))
  purg_log "latency: $WARMUP warm-up + $N_EMPTY lines 1 s apart (empty queue)"
  bench pace --count "$n_total" --interval 1.0 >/dev/null
  purg_log "latency: $N_PAUSE lines, each after a pause of $PAUSE_S s (< ${IDLE_WALL} s: the stream stays up)"
  sleep "$PAUSE_S"
  bench pace --count "$N_PAUSE" --interval $((PAUSE_S + 1)) >/dev/null   # a line plays < 1 s
  sleep $((COLD_S + 1))   # longer than the idle close: the next line finds the stream closed
  purg_log "latency: $N_COLD pairs of lines $COLD_S s apart (stream closed in between: cold start)"
  bench pace --count $((2 * N_COLD)) --batch 2 --interval "$COLD_S" >/dev/null
  sleep 1.2
  purg_log "latency: $N_BATCHES batches of $BATCH lines (10 queued behind the first)"
  # a batch plays ~4 s (the rate rises with the backlog): 5.5 s apart keeps the stream up
  bench pace --count $((N_BATCHES * BATCH)) --batch "$BATCH" --interval 5.5 >/dev/null
  sleep 8
  purg_wait_for '<bench' "$PURG_LISTENER_OUT" 30 $((n_total + N_PAUSE + 2 * N_COLD + N_BATCHES * BATCH)) \
    || purg_fail "not every latency line was spoken"
  sleep 2
  say "== latency (ms; t_recv = after select() returned, first sample = PortAudio callback) =="
  tool latency "$PURG_TMP/timing.txt" "$WARMUP" "$N_EMPTY" "$N_PAUSE" "$N_COLD" "$BATCH" | tee -a "$results" >&2
fi
if want naive; then
  purg_log "naive baseline: one espeak-ng process per line, $N_NAIVE lines"
  say "== baseline in the same run: one espeak-ng process per line =="
  tool naive "$PURG_LISTENER_OUT" "$N_NAIVE" | tee -a "$results" >&2
fi

# --- overhead: whole pipeline vs espeak-ng's library in a bare loop -------------------
# CPU time on a shared 2-CPU machine wanders by +-5 % from run to run, so the
# listener and the baselines take turns, N_ROUNDS times, and the median counts.
# Each round runs the listener twice: with the lines sent at once (the
# synth thread then works through them back to back, as the bare loop does:
# the like-for-like comparison) and with a line every 20 ms (chat pace).
# overhead_run NAME ARGS... - a fresh listener, the lines of `bench ARGS`, its
# CPU s per s of speech in $ratio and its stdout log in $PURG_TMP/NAME-lines.txt
overhead_run() {
  local name=$1 pid c0 prev cur speech
  shift
  listener "$name" --audio null --queue 100000 --catch-up 0 --timing "$PURG_TMP/timing-$name.txt"
  pid=$PURG_LISTENER_PID
  sleep 0.5
  c0=$(tool cpu "$pid")
  bench pace --count "$N_OVER" --text sentence "$@" >/dev/null
  purg_wait_for '<bench' "$PURG_LISTENER_OUT" 60 "$N_OVER" || purg_fail "not every line was spoken"
  prev=x cur=$(tool cpu "$pid")
  while [ "$cur" != "$prev" ]; do sleep 1; prev=$cur; cur=$(tool cpu "$pid"); done
  speech=$(awk '{ f += $6 } END { printf "%.3f", f / 22050 }' "$PURG_TMP/timing-$name.txt")
  cp "$PURG_LISTENER_OUT" "$PURG_TMP/$name-lines.txt"
  ratio=$(awk -v a="$c0" -v b="$cur" -v s="$speech" 'BEGIN { printf "%.6f", (b - a) / s }')
}
# espeak_loop LOG FLAGS... - bench_espeak's CPU s per s of speech
espeak_loop() {
  local log=$1 out
  shift
  out=$("$BENCH_ESPEAK" "$@" "$log")
  awk -v out="$out" 'BEGIN { split(out, b, " "); printf "%.6f", (b[4] > 0 ? b[6] / b[4] : 0) }'
}
if want overhead; then
  say "== overhead (CPU seconds per second of speech; $N_ROUNDS rounds of $N_OVER sentences) =="
  : >"$PURG_TMP/overhead-rounds.txt"
  for round in $(seq "$N_ROUNDS"); do
    purg_log "overhead round $round: $N_OVER sentences at once, then 50 lines/s; null sink"
    overhead_run "burst$round" --interval 1 --batch "$N_OVER"
    burst=$ratio
    overhead_run "paced$round" --interval 0.02
    paced=$ratio
    # the baselines, on each run's own log: a bare loop that loads the voice
    # only when it changes (as synth.c does), one that loads it every line,
    # and the bare loop paced like the listener's input (a line every 20 ms)
    line="round $round: $burst $(espeak_loop "$PURG_TMP/burst$round-lines.txt" --cache-voice)"
    line="$line $paced $(espeak_loop "$PURG_TMP/paced$round-lines.txt" --cache-voice)"
    line="$line $(espeak_loop "$PURG_TMP/paced$round-lines.txt")"
    line="$line $(espeak_loop "$PURG_TMP/paced$round-lines.txt" --cache-voice --gap-ms 20)"
    echo "$line" >>"$PURG_TMP/overhead-rounds.txt"
    say "$line (s CPU per s of speech: listener at once, its bare loop; listener at 50 lines/s, its bare loop, voice every line, paced loop)"
  done
  awk '{ for (k = 3; k <= 8; k++) v[k, NR] = $k }
    function med(k, n,   i, j, t, a) { for (i = 1; i <= n; i++) a[i] = v[k, i]
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    END { n = NR; LB = med(3, n); BB = med(4, n); LP = med(5, n); BP = med(6, n); E = med(7, n); P = med(8, n)
      printf "median s/s: at once: listener %.5f, bare loop %.5f; at 50 lines/s: listener %.5f, bare loop %.5f, voice every line %.5f, paced loop %.5f\n", LB, BB, LP, BP, E, P
      printf "overhead, lines at once, over the bare loop: %+.1f%%\n", (LB / BB - 1) * 100
      printf "overhead, 50 lines/s, over the paced loop: %+.1f%%; over the bare loop: %+.1f%%; over voice-every-line: %+.1f%%\n",
        (LP / P - 1) * 100, (LP / BP - 1) * 100, (LP / E - 1) * 100 }' "$PURG_TMP/overhead-rounds.txt" | tee -a "$results" >&2
fi

# --- device: the whole pipeline through PulseAudio in real time ----------------------------
# What a listener on a sound card costs: N_DEV lines at once, played back to
# back in real time; CPU of every thread (PortAudio's and libpulse's too)
# per second of speech, and each thread's wake-ups.
if want device; then
  [ -n "${ALSA_CONFIG_PATH:-}" ] || purg_start_pulse
  say "== device (PulseAudio null sink, real time; $N_DEV lines at once, catch-up off) =="
  listener device --queue 100 --catch-up 0 --timing "$PURG_TMP/timing-device.txt"
  pid=$PURG_LISTENER_PID
  sleep 0.5
  tsnap() { local t; for t in /proc/"$pid"/task/*; do
      printf '%s %s %s %s\n' "${t##*/}" "$(cat "$t/comm")" "$(awk '{ print $14 + $15 }' "$t/stat" 2>/dev/null)" \
        "$(awk '$1 == "voluntary_ctxt_switches:" { print $2 }' "$t/status")"; done; }
  tsnap >"$PURG_TMP/device-t0.txt"
  c0=$(tool cpu "$pid")
  bench pace --count "$N_DEV" --batch "$N_DEV" --interval 1 --text sentence >/dev/null
  purg_wait_for '<bench' "$PURG_LISTENER_OUT" 60 "$N_DEV" || purg_fail "not every device line was spoken"
  for _ in $(seq 1200); do [ "$(wc -l <"$PURG_TMP/timing-device.txt")" -ge "$N_DEV" ] && break; sleep 0.5; done
  sleep "$(tail -1 "$PURG_TMP/timing-device.txt" | awk '{ printf "%.2f", $6 / 22050 + 1 }')"
  c1=$(tool cpu "$pid")
  tsnap >"$PURG_TMP/device-t1.txt"
  speech=$(awk '{ f += $6 } END { printf "%.3f", f / 22050 }' "$PURG_TMP/timing-device.txt")
  say "$speech s of speech: listener CPU $(awk -v a="$c0" -v b="$c1" -v s="$speech" 'BEGIN { printf "%.2f s = %.5f s per s of speech (%.2f%% of a CPU)", b - a, (b - a) / s, (b - a) / s * 100 }')"
  awk -v s="$speech" -v hz="$(getconf CLK_TCK)" 'NR == FNR { c[$1] = $3; w[$1] = $4; next }
    { printf "  thread %-12s CPU %.2f s, %d wake-ups (%.1f/s)\n", $2, ($3 - c[$1]) / hz, $4 - w[$1], ($4 - w[$1]) / s }' \
    "$PURG_TMP/device-t0.txt" "$PURG_TMP/device-t1.txt" | tee -a "$results" >&2
fi

# --- intake: lines/s absorbed from ngircd with the overflow policy active ----------------
if want intake; then
  [ -n "${ALSA_CONFIG_PATH:-}" ] || purg_start_pulse
  say "== intake (sender stamp -> queued on the net thread; queue 50, device sink) =="
  for rate in $RATES; do
    listener "intake$rate" --intake-log "$PURG_TMP/intake-$rate.txt"
    pid=$PURG_LISTENER_PID
    rss0=$(rss_kb "$pid")
    c0=$(tool cpu "$pid")
    # one sender: IRC does not echo a line to its sender, so nothing piles up
    # unread in the sender's socket (ngircd cuts a client with 32 KB unsent)
    bench --nicks 1 flood --rate "$rate" --seconds "$FLOOD_S" >"$PURG_TMP/flood-$rate.out" &
    fpid=$! peak=$rss0
    while kill -0 "$fpid" 2>/dev/null; do
      r=$(rss_kb "$pid"); [ "$r" -gt "$peak" ] && peak=$r
      sleep 0.25
    done
    wait "$fpid" || purg_fail "the flood sender failed at $rate/s"
    sleep 1
    rss1=$(rss_kb "$pid")
    c1=$(tool cpu "$pid")
    purg_stop_listener 15 >/dev/null || true   # flushes the intake log
    sent=$(awk '{ print $2 }' "$PURG_TMP/flood-$rate.out")
    v=pass
    res=$(tool intake "$PURG_TMP/intake-$rate.txt" "$sent") || v=FAIL
    say "rate $rate/s: $(cat "$PURG_TMP/flood-$rate.out"); $res; RSS ${rss0} -> peak ${peak} -> ${rss1} kB; CPU $(awk -v a="$c0" -v b="$c1" 'BEGIN{printf "%.2f", b-a}') s; $v"
    mv "$PURG_TMP/listener.out" "$PURG_TMP/intake-$rate.spoken" 2>/dev/null || true
    unset '_purg_pids[listener]' '_purg_status[listener]'
  done
fi

# --- idle: quiet channel -------------------------------------------------------------------
# Two windows: quiet from the join (the device stream is never opened), and
# after one spoken line (the stream runs for audio.c's IDLE_WALL_S of silence,
# then is closed), over IDLE_S and over IDLE_LONG seconds.
if want idle; then
  [ -n "${ALSA_CONFIG_PATH:-}" ] || purg_start_pulse
  listener idle
  pid=$PURG_LISTENER_PID
  sleep 1
  cpu_pct() { awk -v a="$1" -v b="$2" -v s="$3" 'BEGIN { printf "CPU %.2f s in %d s = %.3f%%", b - a, s, (b - a) / s * 100 }'; }
  threads() { printf '%s threads (%s)' "$(ls /proc/"$pid"/task | wc -l)" "$(cat /proc/"$pid"/task/*/comm | sort | uniq -c | awk '{ printf "%s%s x%s", (NR > 1 ? ", " : ""), $2, $1 }')"; }
  c0=$(tool cpu "$pid")
  purg_log "idle: $IDLE_S s on a quiet channel from the join"
  sleep "$IDLE_S"
  c1=$(tool cpu "$pid")
  say "== idle (quiet channel, device sink) =="
  say "quiet since joining: $(cpu_pct "$c0" "$c1" "$IDLE_S"); RSS $(rss_kb "$pid") kB; $(threads)"
  purg_log "idle: one line, then $IDLE_LONG s of quiet"
  bench pace --count 1 --interval 0.1 >/dev/null
  purg_wait_for '<bench' "$PURG_LISTENER_OUT" 20 || purg_fail "the idle line was not spoken"
  sleep 1.5   # it plays ~0.5 s
  c0=$(tool cpu "$pid")
  sleep "$IDLE_S"
  c1=$(tool cpu "$pid")
  say "after a line, first $IDLE_S s: $(cpu_pct "$c0" "$c1" "$IDLE_S"); RSS $(rss_kb "$pid") kB; $(threads)"
  sleep $((IDLE_LONG - IDLE_S))
  c2=$(tool cpu "$pid")
  say "after a line, $IDLE_S-$IDLE_LONG s: $(cpu_pct "$c1" "$c2" $((IDLE_LONG - IDLE_S))); whole $IDLE_LONG s: $(cpu_pct "$c0" "$c2" "$IDLE_LONG"); RSS $(rss_kb "$pid") kB; $(threads)"
fi

# --- start-up: spawn -> joined ----------------------------------------------------------------
if want startup; then
  [ -n "${ALSA_CONFIG_PATH:-}" ] || purg_start_pulse
  say "== start-up (spawn -> 'joined' on stderr; local ngircd) =="
  tool startup "$N_START" "$PURG_BIN" listen --server 127.0.0.1 --port "$PURG_IRC_PORT" \
    --nick "st$$" --channel '#bench' --audio null | sed 's/^/null sink:   /' | tee -a "$results" >&2
  if [ -n "${ALSA_CONFIG_PATH:-}" ]; then
    tool startup "$N_START" "$PURG_BIN" listen --server 127.0.0.1 --port "$PURG_IRC_PORT" \
      --nick "st$$" --channel '#bench' | sed 's/^/device sink: /' | tee -a "$results" >&2
  fi
fi

purg_log "done"
cat "$results"
