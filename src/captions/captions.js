// purgatory captions: follows the server's event stream (/events). Every
// string from the channel is put in the page with textContent, never as HTML.
'use strict';
(function () {
  const q = new URLSearchParams(location.search);
  const themes = ['dark', 'light', 'transparent'];
  const theme = themes.includes(q.get('theme')) ? q.get('theme') : 'dark';
  const num = (v, lo, hi, def) => {
    const n = /^[0-9]{1,4}$/.test(v || '') ? parseInt(v, 10) : def;
    return Math.min(hi, Math.max(lo, n));
  };
  const size = num(q.get('size'), 8, 400, 48);
  const keep = num(q.get('lines'), 1, 100, 6);
  // IRC compares channel names case-insensitively (rfc1459: []\~ are {}|^ in lower case)
  const fold = (s) => s.toLowerCase().replace(/[[\]\\~]/g, (c) => ({ '[': '{', ']': '}', '\\': '|', '~': '^' })[c]);
  const chan = q.get('channel') ? fold(q.get('channel')) : null;

  document.documentElement.className = 'theme-' + theme;
  document.documentElement.style.fontSize = size + 'px';
  const box = document.getElementById('captions');
  const status = document.getElementById('status');
  const lines = new Map(); // utterance id -> its element parts
  let newest = 0;          // the highest utterance id shown (ids only grow)
  const st = { paused: false, volume: 100, queue: 0, note: '' };

  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };

  function showStatus() {
    const parts = [];
    if (st.paused) parts.push('paused');
    if (st.volume === 0) parts.push('muted');
    if (st.note) parts.push(st.note);
    if (st.queue > 0) parts.push(st.queue + ' waiting');
    status.textContent = parts.join(' · ');
  }

  function trim() {
    while (box.children.length > keep) {
      const first = box.firstElementChild;
      lines.delete(first.dataset.id);
      first.remove();
    }
  }

  function wanted(d) {
    return !chan || !d.ch || fold(d.ch) === chan;
  }

  function addLine(d, done) {
    if (!wanted(d)) return null;
    const row = el('div', 'line ' + d.kind);
    row.dataset.id = String(d.id);
    row.dataset.nick = d.nick;
    if (d.kind !== 'notice') {
      // the voice's place in the stereo field, subtly
      const side = d.pan < -20 ? '◀' : d.pan > 20 ? '▶' : '●';
      const s = el('span', 'side', side);
      s.title = 'voice ' + d.voice + ', pan ' + d.pan;
      row.appendChild(s);
      row.appendChild(el('span', 'nick c' + d.color, d.kind === 'action' ? '* ' + d.nick : d.nick));
    }
    const said = el('span', 'said', done ? d.text : '');
    const rest = el('span', 'rest', done ? '' : d.text);
    row.appendChild(said);
    row.appendChild(rest);
    if (done && d.skipped) {
      row.classList.add('skipped');
      row.appendChild(el('span', 'tag', 'skipped'));
    }
    box.appendChild(row);
    const parts = { row, said, rest, text: d.text };
    lines.set(String(d.id), parts);
    newest = Math.max(newest, d.id);
    trim();
    return parts;
  }

  const on = (es, type, fn) => es.addEventListener(type, (e) => {
    let d;
    try { d = JSON.parse(e.data); } catch (err) { return; }
    fn(d);
  });

  function connect() {
    const es = new EventSource('events');
    es.onopen = () => { document.body.dataset.stream = 'open'; };
    on(es, 'state', (d) => { st.paused = !!d.paused; st.volume = d.volume; st.queue = d.queue; showStatus(); });
    // a replayed line older than what is shown (a reconnect) is not news
    on(es, 'line', (d) => { if (d.id > newest) addLine(d, true); });
    on(es, 'start', (d) => {
      const old = lines.get(String(d.id));
      if (old) { old.row.remove(); lines.delete(String(d.id)); }
      for (const p of lines.values()) p.row.classList.remove('now');
      const p = addLine(d, false);
      if (p) p.row.classList.add('now');
    });
    on(es, 'word', (d) => {
      const p = lines.get(String(d.id));
      if (!p) return;
      const upto = Math.min(p.text.length, Math.max(0, d.upto));
      p.said.textContent = p.text.slice(0, upto);
      p.rest.textContent = p.text.slice(upto);
    });
    on(es, 'end', (d) => {
      const p = lines.get(String(d.id));
      if (!p) return;
      p.row.classList.remove('now');
      p.said.textContent = p.text;
      p.rest.textContent = '';
      if (d.skipped) {
        p.row.classList.add('skipped');
        p.row.appendChild(el('span', 'tag', 'skipped'));
      }
    });
    on(es, 'queue', (d) => { st.queue = d.n; showStatus(); });
    on(es, 'clear', (d) => { st.queue = 0; st.note = 'cleared ' + d.n + ' waiting lines'; showStatus(); });
    on(es, 'pause', (d) => { st.paused = !!d.on; showStatus(); });
    on(es, 'volume', (d) => { st.volume = d.v; showStatus(); });
    on(es, 'mute', (d) => { st.note = (d.on ? 'muted ' : 'unmuted ') + d.nick; showStatus(); });
    es.onerror = () => {
      // the browser reconnects by itself (sending Last-Event-ID); a closed
      // stream (too far behind) is opened again after a second
      document.body.dataset.stream = 'lost';
      if (es.readyState === EventSource.CLOSED) setTimeout(connect, 1000);
    };
  }
  connect();
}());
