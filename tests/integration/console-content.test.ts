import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertPostmortemDraft, savePostmortemPr } from '../../src/adapters/db/postmortem.repo';
import { recordChangesFromApi } from '../../src/app/changes.service';
import { declareIncident } from '../../src/app/incident-commands.service';
import { createIncidentService } from '../../src/app/incident.service';
import { Browserless, type ConsoleHarness, startConsoleHarness } from '../helpers/console-harness';
import { dialects } from '../helpers/test-db';
import { until } from '../helpers/wait';

const admin = { kind: 'user' as const, id: 'U0001', role: 'admin' as const };
const HOSTILE_MD = [
  '# Postmortem: <script>alert(1)</script>',
  '',
  'The [status page](https://status.example/x) and a [trap](javascript:alert(2)).',
  '"><img src=x onerror=alert(3)> and <iframe src="https://evil.example"></iframe>',
  '',
  '- [x] **roll back** `v42`',
  '- [ ] add a canary',
  '',
  '| when | what |',
  '|---|---|',
  '| 09:00 | <b>deploy</b> |',
].join('\n');

/** Postmortems (rendered Markdown, inert), deployments, and the list stream never naming a private incident. */
describe.each(dialects())('console: postmortems, deployments, private live events (%s)', (dialect) => {
  let h: ConsoleHarness;
  let bob: Browserless;
  let withPr = '';
  let draftOnly = '';

  beforeAll(async () => {
    h = await startConsoleHarness(dialect, { U0002: 'responder' });
    withPr = (await declareIncident(h.app.deps, { orgId: 'T0001', actor: admin, title: 'Checkout down', severity: 'SEV1', service: 'checkout' })).state.id;
    draftOnly = (await declareIncident(h.app.deps, { orgId: 'T0001', actor: admin, title: 'Search slow', severity: 'SEV2' })).state.id;
    const now = new Date().toISOString();
    await insertPostmortemDraft(h.tdb.db, { orgId: 'T0001', incidentId: withPr, markdown: HOSTILE_MD, generator: 'deterministic', createdBy: 'U0001', createdAt: now });
    await insertPostmortemDraft(h.tdb.db, { orgId: 'T0001', incidentId: draftOnly, markdown: '# Search slow\n\nPlain draft.', generator: 'deterministic', createdBy: 'U0001', createdAt: now });
    await savePostmortemPr(h.tdb.db, { orgId: 'T0001', incidentId: withPr, number: 7, url: 'https://github.example/acme/pm/pull/7', branch: 'pm/inc-1', path: 'postmortems/inc-1.md', updatedAt: now });
    const started = new Date(Date.now() - 30 * 60_000).toISOString();
    await recordChangesFromApi(h.app.deps, {
      orgId: 'T0001',
      actor: admin,
      body: [
        { service: 'checkout', environment: 'production', version: 'v2.41.0', status: 'success', url: 'https://ci.example/runs/42', actor: 'alice', startedAt: started, externalId: 'run-42' },
        { service: 'checkout', environment: 'staging', version: 'v2.42.0', status: 'failure', url: 'javascript:alert(4)', actor: 'bob', startedAt: started, externalId: 'run-43' },
      ],
    });
    bob = new Browserless(h.app.url);
    await bob.signIn('T0001', 'U0002');
  }, 60_000);
  afterAll(() => h?.close());

  it('lists postmortems with draft / PR open, links the PR and renders Markdown with every HTML inert', async () => {
    const html = await (await bob.fetch('/console/orgs/T0001/postmortems')).text();
    expect(html).toContain('PR open');
    expect(html).toContain('href="https://github.example/acme/pm/pull/7"');
    expect(html).toMatch(/badge pm-draft">draft</);
    expect(html).toContain('<h2>Postmortem: &lt;script&gt;alert(1)&lt;/script&gt;</h2>');
    expect(html).toContain('<a href="https://status.example/x" rel="noopener noreferrer nofollow">status page</a>');
    expect(html).toContain('trap (javascript:alert(2))');
    expect(html).not.toMatch(/href="javascript:/i);
    expect(html).not.toMatch(/<img|<iframe|<b>deploy/);
    expect(html).toContain('<strong>roll back</strong> <code>v42</code>');
    expect(html).toContain('<th scope="col">when</th>');
  });

  it('shows environments and recent deployments, and the changes around an incident on its page', async () => {
    const html = await (await bob.fetch('/console/orgs/T0001/deployments')).text();
    expect(html).toContain('<a href="https://ci.example/runs/42" rel="noopener noreferrer">v2.41.0</a>');
    expect(html).toContain('v2.42.0');
    expect(html).not.toMatch(/href="javascript:/i);
    const page = await (await bob.fetch(`/console/orgs/T0001/incidents/${withPr}`)).text();
    expect(page).toContain('v2.41.0</a> to checkout/production — success');
  });

  it("the list stream carries public changes and never a private incident's", async () => {
    const ctl = new AbortController();
    const res = await bob.fetch('/console/orgs/T0001/events', { headers: { accept: 'text/event-stream' }, signal: ctl.signal });
    const reader = res.body!.getReader();
    let text = '';
    const pump = (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        text += new TextDecoder().decode(value);
      }
    })();
    await until(() => text.includes('event: ready'), 'ready');
    const secret = (await declareIncident(h.app.deps, { orgId: 'T0001', actor: admin, title: 'HR case', severity: 'SEV3', visibility: 'private' })).state.id;
    const open = (await declareIncident(h.app.deps, { orgId: 'T0001', actor: admin, title: 'Public one', severity: 'SEV3' })).state.id;
    await until(() => text.includes(open), 'public incident event');
    expect(text).not.toContain(secret);
    ctl.abort();
    await pump;
  });

  it('a change committed by another replica (no in-process event) still reaches an open page stream', async () => {
    const ctl = new AbortController();
    const res = await bob.fetch(`/console/orgs/T0001/events?incident=${draftOnly}`, { headers: { accept: 'text/event-stream' }, signal: ctl.signal });
    const reader = res.body!.getReader();
    let text = '';
    const pump = (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        text += new TextDecoder().decode(value);
      }
    })();
    await until(() => text.includes('event: ready'), 'ready');
    // Another process: its own unit of work on the same database, whose commits this process never hears of.
    const replicaB = createIncidentService({ db: h.tdb.db });
    await replicaB.execute({ orgId: 'T0001', incidentId: draftOnly, actor: admin, command: { type: 'AddNote', text: 'from replica B' } });
    await until(() => text.includes(`"incidentId":"${draftOnly}"`), 'polled change', 15_000);
    ctl.abort();
    await pump;
  });

  it("an admin's audited look at a private incident is not pushed as a change (no refresh-audit loop)", async () => {
    const p = (await declareIncident(h.app.deps, { orgId: 'T0001', actor: admin, title: 'Quiet case', severity: 'SEV3', visibility: 'private' })).state;
    const alice = new Browserless(h.app.url);
    await alice.signIn('T0001', 'U0001');
    const ctl = new AbortController();
    const res = await alice.fetch(`/console/orgs/T0001/events?incident=${p.id}`, { headers: { accept: 'text/event-stream' }, signal: ctl.signal });
    const reader = res.body!.getReader();
    let text = '';
    const pump = (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        text += new TextDecoder().decode(value);
      }
    })();
    await until(() => text.includes('event: ready'), 'ready');
    const views = async () => (await h.tdb.db.selectFrom('incident_events').select('type').where('incident_id', '=', p.id).where('type', '=', 'PRIVATE_INCIDENT_VIEWED').execute()).length;
    expect((await alice.fetch(`/console/orgs/T0001/incidents/${p.id}`)).status).toBe(200);
    expect(await views()).toBe(1);
    const csrf = await alice.csrf(`/console/orgs/T0001/incidents/${p.id}`);
    expect(await views()).toBe(1); // a second look within the minute is the same audited view
    await alice.fetch(`/console/orgs/T0001/incidents/${p.id}/note`, { method: 'POST', body: new URLSearchParams({ _csrf: csrf, text: 'checked' }) });
    await until(() => text.includes('NOTE_ADDED'), 'note event');
    // Channel and summary events of the new incident may arrive too; an audit-only commit never does.
    const pushed = [...text.matchAll(/event: incident\n(?:id: .*\n)?data: (.*)\n/g)].map((m) => (JSON.parse(m[1]) as { types: string[] }).types);
    expect(pushed.length).toBeGreaterThan(0);
    expect(pushed.filter((types) => types.every((t) => t === 'PRIVATE_INCIDENT_VIEWED'))).toEqual([]);
    expect(text).not.toContain('PRIVATE_INCIDENT_VIEWED');
    ctl.abort();
    await pump;
  });
});
