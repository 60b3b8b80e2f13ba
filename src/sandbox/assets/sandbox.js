// Runbook Revenant sandbox page. Plain browser JavaScript, no build step: the server renders every
// fragment; this script sends what the user does and swaps in fresh fragments when something changes.
const state = JSON.parse(document.getElementById('sandbox-state').textContent);
const $ = (id) => document.getElementById(id);
const HOME = 'app-home';

function toast(text, ms = 4000) {
  const t = $('toast');
  t.textContent = text;
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (t.hidden = true), ms);
}

async function api(path, body) {
  try {
    const res = await fetch(`/sandbox/api/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: state.user, ...body }) });
    const json = await res.json().catch(() => ({ ok: false, error: `HTTP ${res.status}` }));
    if (!res.ok || json.ok === false) toast(json.error || `HTTP ${res.status}`);
    return json;
  } catch (e) {
    toast(`The sandbox server is not answering (${e.message}).`);
    return { ok: false };
  } finally {
    refresh();
  }
}

// ---- live view ----
let loading = false;
let again = false;
let shown = { sidebar: '', header: '', messages: '', users: '' };

async function refresh() {
  if (loading) {
    again = true;
    return;
  }
  loading = true;
  try {
    const q = new URLSearchParams({ user: state.user, channel: state.channel });
    const res = await fetch(`/sandbox/api/view?${q}`);
    if (!res.ok) return;
    apply(await res.json());
  } catch {
    /* offline for a moment; the next change or poll retries */
  } finally {
    loading = false;
    if (again) {
      again = false;
      refresh();
    }
  }
}

function apply(v) {
  if (v.sidebar !== shown.sidebar) $('sidebar').innerHTML = shown.sidebar = v.sidebar;
  if (v.header !== shown.header) $('ch-header').innerHTML = shown.header = v.header;
  if (v.users !== shown.users) $('users').innerHTML = shown.users = v.users;
  if (v.messages !== shown.messages) {
    const box = $('messages');
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 60 || shown.channel !== state.channel;
    const open = new Set([...box.querySelectorAll('details[data-thread][open]')].map((d) => d.dataset.thread));
    box.innerHTML = shown.messages = v.messages;
    box.querySelectorAll('details[data-thread]').forEach((d) => (d.open = open.has(d.dataset.thread)));
    if (atBottom) box.scrollTop = box.scrollHeight;
    shown.channel = state.channel;
  }
  if (v.modalKey !== state.modalKey) {
    state.modalKey = v.modalKey;
    const root = $('modal-root');
    root.innerHTML = v.modal;
    root.hidden = !v.modal;
    root.querySelector('input, textarea, select')?.focus();
  }
  const composer = $('composer');
  composer.classList.toggle('disabled', !v.composer.enabled);
  $('composer-text').placeholder = v.composer.placeholder;
}

function connect() {
  const es = new EventSource('/sandbox/events');
  es.onmessage = () => refresh();
  es.onopen = () => refresh();
}

function selectChannel(id) {
  state.channel = id;
  history.replaceState(null, '', `/sandbox?${new URLSearchParams({ user: state.user, channel: id })}`);
  if (id === HOME) api('home', {});
  refresh();
}

// ---- what the user does ----
function messageContext(el) {
  const view = el.closest('[data-view-id]');
  if (view) return { viewId: view.dataset.viewId };
  const msg = el.closest('.msg[data-ts]');
  return msg ? { channelId: msg.dataset.channel, ts: msg.dataset.ts, ephemeral: msg.dataset.ephemeral === '1' } : {};
}

function collectValues(form) {
  const values = {};
  form.querySelectorAll('[data-input]').forEach((el) => {
    let v;
    if (el.tagName === 'DIV') v = [...el.querySelectorAll('input:checked')].map((i) => i.value);
    else if (el.tagName === 'SELECT' && el.multiple) v = [...el.selectedOptions].map((o) => o.value);
    else v = el.value;
    (values[el.dataset.block] ??= {})[el.dataset.action] = v;
  });
  return values;
}

async function busy(button, fn) {
  button.disabled = true;
  try {
    return await fn();
  } finally {
    button.disabled = false;
  }
}

function log(text) {
  const box = $('alert-log');
  box.hidden = false;
  box.textContent = `${text}\n\n${box.textContent}`.slice(0, 4000);
}

document.addEventListener('click', async (ev) => {
  const t = ev.target.closest('a, button');
  if (!t) {
    document.querySelectorAll('.menu:not([hidden])').forEach((m) => (m.hidden = true));
    return;
  }
  if (t.matches('a[data-channel]')) {
    ev.preventDefault();
    return selectChannel(t.dataset.channel);
  }
  if (t.matches('[data-scroll-pinned]')) {
    ev.preventDefault();
    document.querySelector('#messages .msg.is-pinned')?.scrollIntoView({ block: 'start', behavior: 'smooth' });
    return;
  }
  if (t.matches('[data-dismiss]')) {
    ev.preventDefault();
    return api('dismiss', { ts: t.dataset.dismiss });
  }
  if (t.matches('button[data-kind]')) {
    if (t.dataset.url) window.open(t.dataset.url, '_blank', 'noopener');
    if (t.dataset.confirm && !window.confirm(t.dataset.confirm)) return;
    const d = t.dataset;
    return busy(t, () => api('action', { ...messageContext(t), type: d.kind, actionId: d.actionId, blockId: d.blockId, value: d.value, text: d.text }));
  }
  if (t.matches('[data-react]')) return api('react', { ...messageContext(t), name: t.dataset.react });
  if (t.matches('[data-menu]')) {
    const menu = t.parentElement.querySelector('.menu');
    menu.hidden = !menu.hidden;
    return;
  }
  if (t.matches('[data-shortcut]')) {
    t.closest('.menu').hidden = true;
    return api('shortcut', { ...messageContext(t), callbackId: t.dataset.shortcut });
  }
  if (t.matches('[data-close-view]')) return api('view-close', { viewId: t.closest('form').dataset.viewId });
  if (t.matches('[data-fire]')) {
    return busy(t, async () => {
      const r = await api('alert', { scenario: t.dataset.fire, phase: t.dataset.phase });
      if (r.status) log(`${t.dataset.fire} ${t.dataset.phase} → HTTP ${r.status} ${JSON.stringify(r.body)}\n${r.expect || ''}`);
    });
  }
  if (t.matches('[data-command]')) return api('send', { channel: state.channel === HOME ? 'CSBXGENERAL' : state.channel, text: t.dataset.command });
  if (t.matches('#run-digest')) {
    return busy(t, async () => {
      const r = await api('digest', {});
      if (r.ok) log(`digest → ${r.message || 'posted'}`);
    });
  }
  if (t.matches('#toggle-alerts')) {
    $('alerts').hidden = !$('alerts').hidden;
  }
});

document.addEventListener('change', (ev) => {
  const el = ev.target;
  if (el.matches('#users')) {
    state.user = el.value;
    selectChannel(state.channel);
    return;
  }
  if (el.matches('select[data-kind]')) {
    const opt = el.selectedOptions[0];
    const d = el.dataset;
    api('action', { ...messageContext(el), type: d.kind, actionId: d.actionId, blockId: d.blockId, selected: { value: opt.value, text: opt.textContent } });
  }
});

document.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const form = ev.target;
  if (form.id === 'composer') {
    const box = $('composer-text');
    const text = box.value;
    if (!text.trim()) return;
    box.value = '';
    const r = await api('send', { channel: state.channel, text });
    if (r.ok === false) box.value = text;
    return;
  }
  if (form.matches('form.modal')) {
    const submit = form.querySelector('button[type=submit]');
    return busy(submit, () => api('view-submit', { viewId: form.dataset.viewId, values: collectValues(form) }));
  }
});

$('composer-text').addEventListener('keydown', (ev) => {
  if (ev.key === 'Enter' && !ev.shiftKey) {
    ev.preventDefault();
    $('composer').requestSubmit();
  }
});

shown = { sidebar: $('sidebar').innerHTML, header: $('ch-header').innerHTML, messages: '', users: $('users').innerHTML };
connect();
if (state.channel === HOME) api('home', {});
refresh();
$('composer-text').focus();
