import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantRole } from '../../src/adapters/db/incident.queries';
import { declareIncident } from '../../src/app/incident-commands.service';
import { Browserless, type ConsoleHarness, startConsoleHarness } from '../helpers/console-harness';
import { dialects } from '../helpers/test-db';
import { until } from '../helpers/wait';

const HOSTILE = ['<script>alert(1)</script>', '"><img src=x onerror=alert(2)>', '<javascript:alert(3)|click me>'];

/** The console's pages and actions over HTTP: the same services as Slack, role checks, hostile text, live events. */
describe.each(dialects())('console pages and actions (%s)', (dialect) => {
  let h: ConsoleHarness;
  let bob: Browserless; // responder
  let dave: Browserless; // viewer
  let id: string;
  const state = () => h.app.deps.incidents.load('T0001', id);

  beforeAll(async () => {
    h = await startConsoleHarness(dialect, { U0004: 'viewer', U0002: 'responder' });
    await h.command('declare sev2 Checkout is slow');
    await h.settle();
    id = (await h.tdb.db.selectFrom('incidents').select('id').where('org_id', '=', 'T0001').where('number', '=', 1).executeTakeFirstOrThrow()).id;
    bob = new Browserless(h.app.url);
    await bob.signIn('T0001', 'U0002');
    dave = new Browserless(h.app.url);
    await dave.signIn('T0001', 'U0004');
  }, 60_000);
  afterAll(() => h?.close());

  const post = async (b: Browserless, path: string, fields: Record<string, string>) => {
    const csrf = await b.csrf(`/console/orgs/T0001/incidents/${id}`);
    return b.fetch(`/console/orgs/T0001/incidents/${id}/${path}`, { method: 'POST', body: new URLSearchParams({ _csrf: csrf, _key: `k${Math.random().toString(36).slice(2, 12)}`, ...fields }) });
  };

  it('a note and a status change from the console go through the shared services: timeline and pinned summary update', async () => {
    const summaryTs = (await state()).summaryTs!;
    expect(summaryTs).toBeTruthy();
    const updatesBefore = h.slack.callsTo('chat.update').filter((c) => c.params.ts === summaryTs).length;
    expect((await post(bob, 'note', { text: 'Rolled back checkout to v41' })).status).toBe(303);
    const res = await post(bob, 'status', { status: 'MITIGATED', message: 'rollback done' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/console/orgs/T0001/incidents/${id}?done=status`);
    await h.settle();
    const s = await state();
    expect(s.status).toBe('MITIGATED');
    const edits = h.slack.callsTo('chat.update').filter((c) => c.params.ts === summaryTs && c.response.ok === true);
    expect(edits.length).toBeGreaterThan(updatesBefore);
    expect(JSON.stringify(edits.at(-1)!.params).toLowerCase()).toContain('mitigated');
    const page = await (await bob.fetch(`/console/orgs/T0001/incidents/${id}?done=status`)).text();
    expect(page).toContain('Rolled back checkout to v41');
    expect(page).toContain('Status changed.');
    expect(page).toMatch(/data-field="status">MITIGATED</);
  });

  it('severity and follow-ups: the responder acts, the same key twice acts once', async () => {
    await h.command('action Add a checkout canary', { channel: (await state()).channelId });
    await h.settle();
    const action = (await state()).actions[0];
    expect(action).toBeTruthy();
    const csrf = await bob.csrf(`/console/orgs/T0001/incidents/${id}`);
    const body = () => new URLSearchParams({ _csrf: csrf, _key: 'same-key-123', done: '1' });
    const url = `/console/orgs/T0001/incidents/${id}/actions/${action.id}`;
    expect((await bob.fetch(url, { method: 'POST', body: body() })).status).toBe(303);
    const v = (await state()).version;
    expect((await bob.fetch(url, { method: 'POST', body: body() })).status).toBe(303);
    expect((await state()).version).toBe(v);
    expect((await state()).actions[0].done).toBe(true);
    // Severity is an SRE lead's or the commander's call (the same rule as in Slack).
    const refused = await post(bob, 'severity', { severity: 'SEV1' });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toMatch(/SRE lead|commander/);
    expect((await state()).severity).toBe('SEV2');
    const alice = new Browserless(h.app.url);
    await alice.signIn('T0001', 'U0001');
    expect((await post(alice, 'severity', { severity: 'SEV1' })).status).toBe(303);
    expect((await state()).severity).toBe('SEV1');
  });

  it('a viewer sees the incident but no forms, and a forged POST is refused without a change', async () => {
    const html = await (await dave.fetch(`/console/orgs/T0001/incidents/${id}`)).text();
    expect(html).toContain('Checkout is slow');
    expect(html).not.toContain('action="/console/orgs/T0001/incidents/');
    expect(html).toContain('can read this incident but not act');
    const v = (await state()).version;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)![1];
    const res = await dave.fetch(`/console/orgs/T0001/incidents/${id}/note`, { method: 'POST', body: new URLSearchParams({ _csrf: csrf, text: 'viewer note' }) });
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/role|responder/i);
    expect((await state()).version).toBe(v);
  });

  it('the role is read again on every request: a grant changed mid-session applies at once', async () => {
    const erin = new Browserless(h.app.url);
    await erin.signIn('T0001', 'U0005');
    await grantRole(h.tdb.db, { orgId: 'T0001', userId: 'U0005', role: 'viewer', grantedBy: 'test', now: new Date() });
    const before = await (await erin.fetch(`/console/orgs/T0001/incidents/${id}`)).text();
    expect(before).toContain('(viewer)');
    expect(before).not.toContain('id="note-text"');
    await grantRole(h.tdb.db, { orgId: 'T0001', userId: 'U0005', role: 'responder', grantedBy: 'test', now: new Date() });
    const after = await (await erin.fetch(`/console/orgs/T0001/incidents/${id}`)).text();
    expect(after).toContain('(responder)');
    expect(after).toContain('id="note-text"');
  });

  it('bad input gets a clear error and keeps what was typed; nothing is stored', async () => {
    const v = (await state()).version;
    const empty = await post(bob, 'note', { text: '   ' });
    expect(empty.status).toBe(422);
    expect(await empty.text()).toContain('The note is empty');
    const bad = await post(bob, 'status', { status: 'EXPLODED', message: 'keep me' });
    expect(bad.status).toBe(422);
    const html = await bad.text();
    expect(html).toContain('“EXPLODED” is not a status.');
    expect(html).toContain('value="keep me"');
    const refused = await post(bob, 'status', { status: 'OPEN', message: 'typed text survives' });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain('typed text survives');
    expect((await state()).version).toBe(v);
  });

  it('hostile titles and notes render inert everywhere', async () => {
    for (const t of HOSTILE) await h.command(`declare sev3 ${t}`);
    await h.settle();
    const rows = await h.tdb.db.selectFrom('incidents').select(['id', 'title']).where('org_id', '=', 'T0001').where('number', '>', 1).execute();
    expect(rows).toHaveLength(3);
    const target = rows[0].id;
    for (const t of HOSTILE) {
      const csrf = await bob.csrf(`/console/orgs/T0001/incidents/${target}`);
      await bob.fetch(`/console/orgs/T0001/incidents/${target}/note`, { method: 'POST', body: new URLSearchParams({ _csrf: csrf, text: t }) });
    }
    const pages = [await (await bob.fetch('/console/orgs/T0001/incidents')).text()];
    for (const r of rows) pages.push(await (await bob.fetch(`/console/orgs/T0001/incidents/${r.id}`)).text());
    for (const html of pages) {
      expect(html).not.toContain('<script>alert');
      expect(html).not.toMatch(/<img[^>]*onerror/i);
      expect(html).not.toMatch(/href="\s*javascript:/i);
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    }
    const detail = pages[1];
    expect(detail).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(pages.join('')).toContain('click me');
  });

  it('filters, full-text search, sorting and pages use the API list service', async () => {
    const list = async (qs: string) => (await (await bob.fetch(`/console/orgs/T0001/incidents?${qs}`)).text());
    const titles = (html: string) => [...html.matchAll(/<td>INC-(\d+)<\/td>/g)].map((m) => Number(m[1]));
    expect(titles(await list('severity=SEV1'))).toEqual([1]);
    expect(titles(await list('status=MITIGATED'))).toEqual([1]);
    expect(titles(await list('sort=number&dir=asc'))).toEqual([1, 2, 3, 4]);
    expect(titles(await list(''))).toEqual([4, 3, 2, 1]);
    await h.app.deps.searchIndexer?.flush();
    expect(titles(await list('q=canary'))).toEqual([1]);
    const bad = await list('since=yesterday');
    expect(bad).toContain('must look like 2026-12-01');
    for (let i = 0; i < 24; i++) await declareIncident(h.app.deps, { orgId: 'T0001', actor: { kind: 'user', id: 'U0002', role: 'responder' }, title: `Bulk ${i}`, severity: 'SEV4' });
    const p1 = await list('');
    expect(titles(p1)).toHaveLength(25);
    expect(p1).toContain('rel="next"');
    const p2 = await list('page=2');
    expect(titles(p2)).toEqual([3, 2, 1]);
    expect(p2).toContain('rel="prev"');
  });

  it('private incidents: hidden from non-members in list and page, shown to members', async () => {
    const { state: p } = await declareIncident(h.app.deps, { orgId: 'T0001', actor: { kind: 'user', id: 'U0001', role: 'admin' }, title: 'Secret HR matter', severity: 'SEV2', visibility: 'private' });
    expect(p.visibility).toBe('private');
    expect(await (await bob.fetch('/console/orgs/T0001/incidents')).text()).not.toContain('Secret HR matter');
    const r = await bob.fetch(`/console/orgs/T0001/incidents/${p.id}`);
    expect(r.status).toBe(404);
    expect(await r.text()).not.toContain('Secret HR matter');
    const alice = new Browserless(h.app.url);
    await alice.signIn('T0001', 'U0001');
    expect(await (await alice.fetch(`/console/orgs/T0001/incidents/${p.id}`)).text()).toContain('Secret HR matter');
    const log = await h.tdb.db.selectFrom('incident_events').select(['type', 'payload']).where('incident_id', '=', p.id).where('type', '=', 'PRIVATE_INCIDENT_VIEWED').execute();
    // One audit per page view, by the shared read use case, naming the console.
    expect(log).toHaveLength(1);
    expect(JSON.parse(log[0].payload)).toMatchObject({ surface: 'console', viewer: 'U0001' });
  });

  it('server-sent events: a change made through Slack reaches an open stream; another org hears nothing', async () => {
    const ctl = new AbortController();
    const res = await bob.fetch(`/console/orgs/T0001/events?incident=${id}`, { headers: { accept: 'text/event-stream' }, signal: ctl.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    const pump = (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        text += new TextDecoder().decode(value);
      }
    })();
    await until(() => text.includes('event: ready'), 'ready event');
    await h.command('note Seen from Slack', { channel: (await state()).channelId });
    await until(() => text.includes('event: incident'), 'incident event');
    expect(text).toContain(`"incidentId":"${id}"`);
    expect(text).toContain('NOTE_ADDED');
    ctl.abort();
    await pump;
    await until(() => (h.app.deps.commitFeed?.listenerCount('T0001') ?? 0) === 0, 'stream listener removed');
  });
});
