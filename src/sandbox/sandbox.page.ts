import type { Role } from '../shared/roles';
import { escapeHtml } from './mrkdwn.html';
import { ALERT_SCENARIOS } from './sample-alerts';
import type { SandboxConnectors } from './sandbox.alerts';
import type { Fragments } from './sandbox.view';

/** The sandbox page: a server-rendered shell; the script keeps its fragments fresh. Pure. */

export interface UserOption {
  id: string;
  realName: string;
  role: Role;
}

export function userOptions(users: UserOption[], current: string): string {
  return users.map((u) => `<option value="${escapeHtml(u.id)}"${u.id === current ? ' selected' : ''}>${escapeHtml(u.realName)} — ${u.role.replace('_', ' ')}</option>`).join('');
}

export interface DigestStatus {
  available: boolean;
  /** Why the button is disabled, or where the digest goes. */
  note: string;
}

function alertsPanel(connectors: SandboxConnectors, publicUrl: string, digest: DigestStatus): string {
  const scenarios = ALERT_SCENARIOS.map((s) => {
    const c = connectors[s.kind];
    const conn = c ? `<div class="conn">POST ${escapeHtml(`${publicUrl}/connectors/${c.id}/webhook`)}</div>` : `<div class="note">No ${s.kind} connector: alerts cannot be sent.</div>`;
    return `<div class="scenario"><div class="label">${escapeHtml(s.label)}</div>${conn}<div class="btn-row"><button type="button" class="btn btn-primary" data-fire="${s.id}" data-phase="firing"${c ? '' : ' disabled'}>Fire</button><button type="button" class="btn" data-fire="${s.id}" data-phase="resolved"${c ? '' : ' disabled'}>Resolve</button></div><div class="hint">${escapeHtml(s.expect)}</div></div>`;
  }).join('');
  return `<h2>Alerts</h2>
<p>Sample notifications in each sender's real format, sent to this bot's webhook with the connector's Bearer token — exactly what Alertmanager, Grafana or Datadog would send.</p>
${scenarios}
<div class="btn-row"><button type="button" class="btn" data-command="/incident watchlist">Show watchlist</button></div>
<h3>Digest</h3>
<div class="btn-row"><button type="button" class="btn" id="run-digest"${digest.available ? '' : ' disabled'}>Run digest now</button></div>
<p class="${digest.available ? '' : 'note'}">${escapeHtml(digest.note)}</p>
<pre class="alert-log" id="alert-log" hidden></pre>`;
}

export interface PageInput {
  user: string;
  channel: string;
  users: UserOption[];
  fragments: Fragments;
  connectors: SandboxConnectors;
  publicUrl: string;
  digest: DigestStatus;
  version: number;
}

export function sandboxPage(p: PageInput): string {
  const f = p.fragments;
  const initial = JSON.stringify({ user: p.user, channel: p.channel, modalKey: '', version: p.version }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Revenant sandbox</title>
<link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Crect width='16' height='16' rx='3' fill='%234a154b'/%3E%3Ctext x='8' y='12.5' font-size='12' text-anchor='middle' fill='white' font-family='Georgia'%3ER%3C/text%3E%3C/svg%3E">
<link rel="stylesheet" href="/sandbox/assets/sandbox.css">
</head>
<body>
<div class="banner"><span class="tag">SANDBOX</span><span>A local stand-in for Slack: the real bot, a built-in Slack Web API and this page. Nothing leaves this machine.</span><span class="spacer"></span><a class="console-link" href="/console" target="_blank" rel="noopener">Web console</a><label for="users">Acting as</label><select id="users">${userOptions(p.users, p.user)}</select><button type="button" class="toggle" id="toggle-alerts">Alerts</button></div>
<div class="app">
<nav class="sidebar"><div class="ws-name">Revenant Sandbox<small>local workspace</small></div><div id="sidebar">${f.sidebar}</div></nav>
<main class="main">
<header id="ch-header">${f.header}</header>
<div id="messages">${f.messages}</div>
<form id="composer"${f.composer.enabled ? '' : ' class="disabled"'}><textarea id="composer-text" placeholder="${escapeHtml(f.composer.placeholder)}" aria-label="Message"></textarea><button type="submit">Send</button></form>
<div class="composer-hint">Enter sends · <code>/incident help</code> lists commands · hover a message for 📌 and ⋯ (Add to incident timeline)</div>
</main>
<aside class="alerts" id="alerts">${alertsPanel(p.connectors, p.publicUrl, p.digest)}</aside>
</div>
<div id="modal-root" class="modal-backdrop" hidden></div>
<div id="toast" hidden></div>
<script id="sandbox-state" type="application/json">${initial}</script>
<script type="module" src="/sandbox/assets/sandbox.js"></script>
</body>
</html>`;
}
