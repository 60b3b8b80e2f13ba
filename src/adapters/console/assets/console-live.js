// Live updates: the page listens to its server-sent events stream and re-fetches itself when an incident changes,
// swapping only the regions marked data-live (forms being typed in are left alone). No reload.
'use strict';
(() => {
  const holder = document.querySelector('[data-stream]');
  if (!holder || !('EventSource' in window)) return;
  const status = document.getElementById('live-status');
  let timer;
  let busy = false;
  let again = false;
  const refresh = async () => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      const res = await fetch(location.href, { credentials: 'same-origin' });
      if (!res.ok) return;
      const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
      const seen = new Set([...document.querySelectorAll('.timeline li')].map((li) => li.dataset.seq));
      for (const el of document.querySelectorAll('[data-live][id]')) {
        const fresh = doc.getElementById(el.id);
        if (fresh) el.replaceWith(document.importNode(fresh, true));
      }
      for (const li of document.querySelectorAll('.timeline li')) if (!seen.has(li.dataset.seq)) li.classList.add('fresh');
      if (status) status.textContent = `Updated at ${new Date().toLocaleTimeString()}`;
      document.body.dataset.liveVersion = String(Number(document.body.dataset.liveVersion || '0') + 1);
    } finally {
      busy = false;
      if (again) {
        again = false;
        void refresh();
      }
    }
  };
  const source = new EventSource(holder.dataset.stream, { withCredentials: true });
  source.addEventListener('ready', () => {
    document.body.dataset.live = 'connected';
  });
  source.addEventListener('incident', () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 150);
  });
  source.addEventListener('error', () => {
    document.body.dataset.live = 'reconnecting';
  });
})();
