#!/usr/bin/env bash
# names_e2e.sh - a real listener (purgatory listen --audio null) greeted by a
# NAMES of N nicks from tests/bench/names_server.py; prints, per N, the time
# from the NAMES being written to the socket to the line after it being
# queued for speech and to its first sample (--timing; the line's text, read
# back from --intake-log, carries the server's stamp).
# usage: tests/bench/names_e2e.sh BUILD_DIR [N...]   (default N: 1000 12500 50000)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: names_e2e.sh BUILD_DIR [N...]}
shift
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 12500 50000)
bin=$build/purgatory
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for n in "${sizes[@]}"; do
    rm -f "$tmp/port" "$tmp/intake" "$tmp/timing"
    python3 "$here/names_server.py" "$tmp/port" --nicks "$n" >"$tmp/server.out" &
    spid=$!
    for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
    "$bin" listen --server 127.0.0.1 --port "$(cat "$tmp/port")" --channel '#big' --nick listener \
        --audio null --intake-log "$tmp/intake" --timing "$tmp/timing" >"$tmp/listen.out" 2>"$tmp/listen.err" &
    lpid=$!
    for _ in $(seq 1200); do [ -s "$tmp/timing" ] && break; sleep 0.05; done
    kill "$lpid" 2>/dev/null || true
    wait "$lpid" 2>/dev/null || true
    wait "$spid" 2>/dev/null || true
    if [ ! -s "$tmp/timing" ]; then
        echo "N=$n: no line spoken (see $tmp/listen.err)"; cat "$tmp/listen.err"; trap - EXIT; exit 1
    fi
    # intake: t_recv t_queued text ("after names T0"); timing: id t_recv t_queued t_first_chunk t_first_sample frames
    read -r _ _ _ _ t0 < <(grep 'after names' "$tmp/intake" | head -1)
    read -r _ _ t_queued t_chunk t_sample _ < "$tmp/timing"
    awk -v n="$n" -v t0="$t0" -v q="$t_queued" -v c="$t_chunk" -v s="$t_sample" 'BEGIN {
        printf "N=%6d  NAMES written -> line queued %8.1f ms  -> first chunk %8.1f ms  -> first sample %8.1f ms\n",
               n, (q - t0) / 1e6, (c - t0) / 1e6, (s - t0) / 1e6 }'
done
