#!/usr/bin/env bash
# run.sh - purgatory's listener benchmarks: latency, overhead over espeak-ng,
# intake rate, idle cost, start-up. Not part of ctest; see BENCHMARKS.md.
#
# usage: tests/bench/run.sh [--quick] [--only NAME[,NAME...]] [BUILD_DIR]
#   BUILD_DIR  a Release build with purgatory and bench_espeak
#              (default: build-bench; cmake -DCMAKE_BUILD_TYPE=Release)
#   --quick    fewer lines and shorter windows (a smoke run, not the record)
#   --only     latency, naive, overhead, intake, idle, startup
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
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
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
  N_EMPTY=60 N_COLD=4 N_BATCHES=3 N_NAIVE=40 N_OVER=1000 IDLE_S=10 N_START=5
  RATES="20000" FLOOD_S=2
else
  N_EMPTY=1000 N_COLD=20 N_BATCHES=40 N_NAIVE=200 N_OVER=3000 IDLE_S=60 N_START=20
  RATES="5000 10000 20000 40000 80000" FLOOD_S=5
fi
WARMUP=2 BATCH=11

purg_tmpdir
purg_start_ngircd
results=$PURG_TMP/results.txt
: >"$results"
say() { printf '%s\n' "$*" | tee -a "$results" >&2; }

# --- PulseAudio with a null sink: the real-time device path ------------------
pulse_start() {
  command -v pulseaudio >/dev/null || purg_fail "pulseaudio not installed (apt-get install pulseaudio pulseaudio-utils libasound2-plugins)"
  local d=$PURG_TMP/pulse
  mkdir -p "$d/run"
  export XDG_RUNTIME_DIR=$d/run PULSE_SERVER=unix:$d/run/native
  printf '%s\n' 'load-module module-null-sink sink_name=nullsink rate=22050 channels=2 format=s16le' \
    'set-default-sink nullsink' >"$d/null.pa"
  HOME=$d purg_spawn pulse pulseaudio -n -F "$d/null.pa" \
    --load="module-native-protocol-unix auth-anonymous=1 socket=$d/run/native" \
    --daemonize=no --exit-idle-time=-1 --use-pid-file=no --log-target=stderr
  printf 'pcm.!default { type pulse; server "unix:%s/run/native" }\nctl.!default { type pulse; server "unix:%s/run/native" }\n' \
    "$d" "$d" >"$d/asound.conf"
  export ALSA_CONFIG_PATH=$d/asound.conf
  local i
  for i in $(seq 50); do [ -S "$d/run/native" ] && return 0; sleep 0.1; done
  purg_fail "PulseAudio did not start; see $PURG_TMP/pulse.err"
}

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
  pulse_start
  listener latency --timing "$PURG_TMP/timing.txt"
fi
if want latency; then
  n_total=$((WARMUP + N_EMPTY))
  purg_log "latency: $WARMUP warm-up + $N_EMPTY lines 1 s apart (empty queue)"
  bench pace --count "$n_total" --interval 1.0 >/dev/null
  sleep 3.5   # longer than the 2 s idle stop: the next line finds a stopped stream
  purg_log "latency: $N_COLD pairs of lines 4 s apart (stream stopped in between: cold start)"
  bench pace --count $((2 * N_COLD)) --batch 2 --interval 4 >/dev/null
  sleep 1.2
  purg_log "latency: $N_BATCHES batches of $BATCH lines (10 queued behind the first)"
  # a batch plays ~4 s (the rate rises with the backlog): 5.5 s apart keeps the stream up
  bench pace --count $((N_BATCHES * BATCH)) --batch "$BATCH" --interval 5.5 >/dev/null
  sleep 8
  purg_wait_for '<bench' "$PURG_LISTENER_OUT" 30 $((n_total + 2 * N_COLD + N_BATCHES * BATCH)) \
    || purg_fail "not every latency line was spoken"
  sleep 2
  say "== latency (ms; t_recv = after select() returned, first sample = PortAudio callback) =="
  tool latency "$PURG_TMP/timing.txt" "$WARMUP" "$N_EMPTY" "$N_COLD" "$BATCH" | tee -a "$results" >&2
fi
if want naive; then
  purg_log "naive baseline: one espeak-ng process per line, $N_NAIVE lines"
  say "== baseline in the same run: one espeak-ng process per line =="
  tool naive "$PURG_LISTENER_OUT" "$N_NAIVE" | tee -a "$results" >&2
fi

# --- overhead: whole pipeline vs espeak-ng's library in a bare loop -------------------
if want overhead; then
  listener overhead --audio null --queue 100000 --timing "$PURG_TMP/timing-over.txt"
  pid=$PURG_LISTENER_PID
  sleep 0.5
  c0=$(tool cpu "$pid")
  purg_log "overhead: $N_OVER sentences, 50 lines/s, null sink"
  bench pace --count "$N_OVER" --interval 0.02 --text sentence >/dev/null
  purg_wait_for '<bench' "$PURG_LISTENER_OUT" 60 "$N_OVER" || purg_fail "not every line was spoken"
  prev=x cur=$(tool cpu "$pid")
  while [ "$cur" != "$prev" ]; do sleep 1; prev=$cur; cur=$(tool cpu "$pid"); done
  c1=$cur
  speech=$(awk '{ f += $6 } END { printf "%.3f", f / 22050 }' "$PURG_TMP/timing-over.txt")
  cp "$PURG_LISTENER_OUT" "$PURG_TMP/overhead-lines.txt"
  base=$("$BENCH_ESPEAK" "$PURG_TMP/overhead-lines.txt")
  say "== overhead (CPU seconds per second of speech) =="
  awk -v c0="$c0" -v c1="$c1" -v sp="$speech" -v base="$base" 'BEGIN {
    split(base, b, " "); bc = b[6]; bs = b[4]
    pc = c1 - c0
    printf "purgatory listen --audio null: %.2f s CPU for %.1f s of speech = %.5f s/s\n", pc, sp, pc / sp
    printf "bench_espeak (library loop):   %.2f s CPU for %.1f s of speech = %.5f s/s\n", bc, bs, bc / bs
    printf "overhead: %+.1f%%\n", ((pc / sp) / (bc / bs) - 1) * 100 }' | tee -a "$results" >&2
fi

# --- intake: lines/s absorbed from ngircd with the overflow policy active ----------------
if want intake; then
  [ -n "${ALSA_CONFIG_PATH:-}" ] || pulse_start
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
if want idle; then
  [ -n "${ALSA_CONFIG_PATH:-}" ] || pulse_start
  listener idle
  pid=$PURG_LISTENER_PID
  sleep 3   # the device stream stops after 2 s of silence
  c0=$(tool cpu "$pid")
  purg_log "idle: $IDLE_S s on a quiet channel"
  sleep "$IDLE_S"
  c1=$(tool cpu "$pid")
  say "== idle ($IDLE_S s, quiet channel, device sink) =="
  say "$(awk -v a="$c0" -v b="$c1" -v s="$IDLE_S" 'BEGIN {
    printf "CPU %.2f s in %d s = %.3f%%", b - a, s, (b - a) / s * 100 }'); RSS $(rss_kb "$pid") kB; threads $(ls /proc/"$pid"/task | wc -l)"
fi

# --- start-up: spawn -> joined ----------------------------------------------------------------
if want startup; then
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
