// Timeline replay: play or scrub an incident from declaration to resolution. The server renders the state
// at ?t= and embeds a snapshot per event (folded with the real evolve); this script only picks the right one.
'use strict';
(() => {
  const dataEl = document.getElementById('replay-data');
  const scrub = document.getElementById('replay-scrub');
  if (!dataEl || !scrub) return;
  const data = JSON.parse(dataEl.textContent || '{}');
  const frames = data.frames || [];
  const play = document.getElementById('replay-play');
  const speed = document.getElementById('replay-speed');
  const time = document.getElementById('replay-time');
  const offset = document.getElementById('replay-offset');
  const link = document.getElementById('replay-link');
  const summary = document.getElementById('replay-summary');
  const items = Array.from(document.querySelectorAll('#replay-events li[data-seq]'));
  const go = document.getElementById('replay-go');
  if (go) go.hidden = true;

  let t = Date.parse(time.getAttribute('datetime')) || data.start;
  let timer = null;
  let last = 0;

  const field = (name, text) => {
    const el = summary.querySelector(`[data-field="${name}"]`);
    if (el) el.textContent = text;
  };
  const who = (id) => (id ? `@${id}` : '—');

  /** The snapshot after the last event that had happened by t (frames are in seq order). */
  function frameAt(at) {
    let found = null;
    for (const f of frames) {
      if (f.at <= at) found = f;
      else break;
    }
    return found;
  }

  function render(updateUrl) {
    const f = frameAt(t);
    const s = f ? f.snapshot : null;
    field('status', s && s.exists ? s.status : '—');
    field('severity', s && s.exists ? s.severity : '—');
    field('commander', who(s && s.roles.commander));
    field('comms', who(s && s.roles.comms));
    field('scribe', who(s && s.roles.scribe));
    field('followups', s ? `${s.followUps.open} open, ${s.followUps.done} done` : '0 open, 0 done');
    field('signals', s ? `${s.signals.firing} firing of ${s.signals.total}` : '0 firing of 0');
    field('notes', s ? String(s.notes) : '0');
    field('update', (s && s.lastUpdate) || '—');
    for (const li of items) {
      const seq = Number(li.dataset.seq);
      const at = Number(li.dataset.at);
      const current = f !== null && seq === f.seq;
      li.className = current ? 'is-current' : at <= t ? 'is-past' : 'is-future';
      if (current && li.getAttribute('aria-current') !== 'step' && timer !== null)
        li.scrollIntoView({ block: 'nearest' });
      if (current) li.setAttribute('aria-current', 'step');
      else li.removeAttribute('aria-current');
    }
    const iso = new Date(t).toISOString();
    time.textContent = iso;
    time.setAttribute('datetime', iso);
    offset.textContent = `+${Math.round((t - data.start) / 1000)} s`;
    const url = new URL(window.location.href);
    url.searchParams.set('t', iso);
    url.searchParams.delete('speed');
    link.href = url.pathname + url.search;
    link.textContent = `?t=${iso}`;
    if (updateUrl) history.replaceState(null, '', url.pathname + url.search);
  }

  function stop() {
    if (timer !== null) clearInterval(timer);
    timer = null;
    play.textContent = 'Play';
    play.setAttribute('aria-pressed', 'false');
    render(true);
  }

  function tick() {
    const now = performance.now();
    t = Math.min(data.end, t + (now - last) * Number(speed.value || 1));
    last = now;
    scrub.value = String(Math.round((t - data.start) / 1000));
    render(false);
    if (t >= data.end) stop();
  }

  play.hidden = false;
  play.addEventListener('click', () => {
    if (timer !== null) return stop();
    if (t >= data.end) t = data.start;
    last = performance.now();
    timer = setInterval(tick, 100);
    play.textContent = 'Pause';
    play.setAttribute('aria-pressed', 'true');
  });
  scrub.addEventListener('input', () => {
    t = Math.min(data.end, data.start + Number(scrub.value) * 1000);
    render(timer === null);
  });
  render(false);
})();
