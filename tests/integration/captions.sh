#!/usr/bin/env bash
# captions.sh - the captions page in a real headless Chromium, driven through
# its DevTools protocol (cdp.py), against a real listener on ngircd whose
# sound goes to the file-backed ALSA device: lines appear with the right
# nick, text and colour; markup in a line is shown as text and runs nothing;
# a page opened late shows the scrollback; a pause from the control FIFO
# shows; the transparent theme renders; one-channel filtering. Screenshots
# are kept in the build directory (tests/tmp/captions-*.png).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

command -v chromium >/dev/null || purg_fail "chromium not found (apt-get install chromium)"
CDP_PY=/usr/bin/python3   # Debian's python3-websocket lives with the system python
"$CDP_PY" -c 'import websocket' 2>/dev/null || purg_fail "python3-websocket not found (apt-get install python3-websocket)"

purg_tmpdir
purg_start_ngircd
purg_alsa_file_env
export XDG_CONFIG_HOME="$PURG_TMP/xdg"
mkdir -p "$XDG_CONFIG_HOME"
ART=${PURG_TEST_TMP:-$PURG_TMP}    # screenshots outlive the private temp dir
mkdir -p "$ART"

cport=$(purg_free_port)
dport=$(purg_free_port)
fifo="$PURG_TMP/control"
purg_start_listener --nick ear --channel '#purg' --captions "127.0.0.1:$cport" --control "$fifo"
purg_wait_for 'captions at http://127.0.0.1:' "$PURG_LISTENER_ERR" 15 || purg_fail "no captions server"
purg_wait_for 'joined #purg' "$PURG_LISTENER_ERR" 15 || purg_fail "listener did not join"

purg_spawn chromium chromium --headless --no-sandbox --disable-gpu --no-first-run \
  --user-data-dir="$PURG_TMP/chromium" --remote-debugging-port="$dport" \
  --window-size=1280,720 about:blank
url="http://127.0.0.1:$cport/"
cdp() { "$CDP_PY" "$PURG_INTEGRATION_DIR/cdp.py" --port "$dport" run "$@"; }
lines_js='JSON.stringify([...document.querySelectorAll("#captions .line")].map(l => ({nick: l.dataset.nick, text: l.querySelector(".said").textContent + l.querySelector(".rest").textContent, color: (l.querySelector(".nick") || {}).className, now: l.classList.contains("now")})))'

# --- 1. live: a page open before anyone speaks -------------------------------
xss='<script>window.pwned=1</script> and <img src=x onerror="window.pwned=2"> bye'
cat >"$PURG_TMP/live.json" <<JSON
[{"wait": "document.body && document.body.dataset.stream === 'open'", "timeout": 15},
 {"wait": "document.querySelectorAll('#captions .line').length >= 2 && !document.querySelector('#captions .line.now')", "timeout": 20},
 {"eval": $("$CDP_PY" -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$lines_js"), "out": "$PURG_TMP/live.lines"},
 {"eval": "JSON.stringify({pwned: window.pwned === undefined ? null : window.pwned, img: document.querySelectorAll('#captions img, #captions script').length, title: document.title})", "out": "$PURG_TMP/live.safety"},
 {"screenshot": "$ART/captions-dark.png"}]
JSON
cdp "$url?lines=8" "$PURG_TMP/live.json" 2>"$PURG_TMP/cdp-live.err" & cdp_pid=$!
sleep 1.5 # the page connects
purg_ircpeer --channel '#purg' --wait-nick ear --line 'alice|hello from alice' --line "bob|$xss"
wait "$cdp_pid" || { cat "$PURG_TMP/cdp-live.err" >&2; purg_fail "the live page did not show the lines"; }
cat "$PURG_TMP/live.lines" >&2
check() { "$CDP_PY" -c "import json,sys; d=json.loads(json.load(open(sys.argv[1]))); sys.exit(0 if ($2) else 1)" "$1" \
  || purg_fail "$3: $(cat "$1")"; }
check "$PURG_TMP/live.lines" 'd[-2]["nick"]=="alice" and d[-2]["text"]=="hello from alice"' "alice's line"
check "$PURG_TMP/live.lines" 'd[-1]["nick"]=="bob" and "<script>window.pwned=1</script>" in d[-1]["text"] and "onerror=" in d[-1]["text"]' "bob's line shown as text"
want_color=$("$PURG_PYTHON" - alice <<'PY'
import sys
h = 2166136261
for b in sys.argv[1].encode():
    h = ((h ^ b) * 16777619) & 0xffffffff
print("nick c%d" % (31 + h % 6))
PY
)
check "$PURG_TMP/live.lines" "d[-2][\"color\"]==\"$want_color\"" "alice's colour is the terminal view's ($want_color)"
check "$PURG_TMP/live.safety" 'd["pwned"] is None and d["img"]==0' "markup in a line ran or made elements"
purg_log "live captions ok"

# --- 2. a pause from the control FIFO shows -----------------------------------
cat >"$PURG_TMP/pause.json" <<JSON
[{"wait": "document.body && document.body.dataset.stream === 'open'", "timeout": 15},
 {"wait": "document.getElementById('status').textContent.includes('paused')", "timeout": 10}]
JSON
cdp "$url" "$PURG_TMP/pause.json" 2>"$PURG_TMP/cdp-pause.err" & cdp_pid=$!
sleep 1
printf 'pause\n' >"$fifo"
wait "$cdp_pid" || { cat "$PURG_TMP/cdp-pause.err" >&2; purg_fail "the pause did not show"; }
purg_log "pause shown"

# --- 2b. a line skipped while paused, and a mute, show ------------------------
cat >"$PURG_TMP/skip.json" <<JSON
[{"wait": "document.body && document.body.dataset.stream === 'open'", "timeout": 15},
 {"wait": "[...document.querySelectorAll('#captions .line.skipped')].some(l => l.dataset.nick === 'carol' && l.textContent.includes('skipped'))", "timeout": 15},
 {"wait": "document.getElementById('status').textContent.includes('muted dave') && !document.getElementById('status').textContent.includes('paused')", "timeout": 10},
 {"screenshot": "$ART/captions-skipped.png"}]
JSON
cdp "$url?theme=light" "$PURG_TMP/skip.json" 2>"$PURG_TMP/cdp-skip.err" & cdp_pid=$!
sleep 1
purg_ircpeer --channel '#purg' --wait-nick ear \
  --line 'carol|a long line that the presenter skips before it is over, word after word after word'
sleep 1   # carol's line waits in the paused sink
printf 'skip\n' >"$fifo"
sleep 0.3
printf 'resume\n' >"$fifo"
printf 'mute dave\n' >"$fifo"
wait "$cdp_pid" || { cat "$PURG_TMP/cdp-skip.err" >&2; purg_fail "the skip or the mute did not show"; }
purg_log "skip and mute shown"

# --- 3. opened late, transparent, one channel ---------------------------------
cat >"$PURG_TMP/late.json" <<JSON
[{"wait": "document.querySelectorAll('#captions .line').length >= 2", "timeout": 15},
 {"eval": $("$CDP_PY" -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$lines_js"), "out": "$PURG_TMP/late.lines"},
 {"eval": "JSON.stringify({bg: getComputedStyle(document.body).backgroundColor, html: getComputedStyle(document.documentElement).backgroundColor, cls: document.documentElement.className, size: getComputedStyle(document.documentElement).fontSize})", "out": "$PURG_TMP/late.style"},
 {"screenshot": "$ART/captions-transparent.png"}]
JSON
cdp "$url?theme=transparent&size=40&lines=5&channel=%23PURG" "$PURG_TMP/late.json" 2>"$PURG_TMP/cdp-late.err" \
  || { cat "$PURG_TMP/cdp-late.err" >&2; purg_fail "a page opened late did not show the scrollback"; }
check "$PURG_TMP/late.lines" 'any(l["nick"]=="alice" and l["text"]=="hello from alice" for l in d) and any(l["nick"]=="bob" for l in d)' "scrollback"
check "$PURG_TMP/late.style" 'd["bg"]=="rgba(0, 0, 0, 0)" and d["html"]=="rgba(0, 0, 0, 0)" and d["cls"]=="theme-transparent" and d["size"]=="40px"' "transparent theme"
cat >"$PURG_TMP/other.json" <<JSON
[{"wait": "document.body && document.body.dataset.stream === 'open'", "timeout": 15},
 {"sleep": 0.5},
 {"eval": "JSON.stringify(document.querySelectorAll('#captions .line').length)", "out": "$PURG_TMP/other.n"}]
JSON
cdp "$url?channel=%23other" "$PURG_TMP/other.json" 2>"$PURG_TMP/cdp-other.err" \
  || { cat "$PURG_TMP/cdp-other.err" >&2; purg_fail "the one-channel page failed"; }
check "$PURG_TMP/other.n" 'd==0' "a page for #other shows #purg's lines"
[ -s "$ART/captions-transparent.png" ] && [ -s "$ART/captions-dark.png" ] || purg_fail "no screenshots"
purg_log "late page, transparent theme, channel filter ok; screenshots in $ART"

purg_stop chromium 5 || true
purg_stop_listener || purg_fail "listener exited with $?"
