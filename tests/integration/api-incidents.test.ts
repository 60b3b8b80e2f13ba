import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EFFECT_METADATA_TYPE } from '../../src/adapters/slack/ids';
import { createApiToken } from '../../src/app/api-tokens.service';
import { ADMIN, type Harness, startHarness, TEAM, waitFor } from '../helpers/harness';
import { dialects } from '../helpers/test-db';
import { apiClient } from './api-client';

const ROOT = path.resolve(__dirname, '../..');
const run = promisify(execFile);

describe.each(dialects())('REST API v1: incidents through the same commands as Slack (%s)', (dialect) => {
  let h: Harness;
  let api: Awaited<ReturnType<typeof apiClient>>;
  let token: string;
  let incidentId: string;
  const base = `/api/v1/orgs/${TEAM}`;

  beforeAll(async () => {
    const runbooks = mkdtempSync(path.join(tmpdir(), 'revenant-api-runbooks-'));
    writeFileSync(
      path.join(runbooks, 'checkout.md'),
      '# Checkout\n\n## Mitigate\n\n- Roll back the last deploy\n- Drain the bad node\n',
    );
    h = await startHarness(dialect, { RUNBOOKS_DIR: runbooks });
    api = await apiClient(h.app.url);
    // From the operator CLI, as an operator would (a separate process on the same database).
    const out = await run(
      process.execPath,
      [
        path.join(ROOT, 'bin/revenant.js'),
        'token',
        'create',
        '--org',
        TEAM,
        '--role',
        'sre_lead',
        '--name',
        'ci',
        '--expires',
        '90d',
      ],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', DATABASE_URL: h.tdb.url },
        timeout: 60_000,
      },
    );
    const printed = JSON.parse(out.stdout.trim());
    expect(printed).toMatchObject({ org: TEAM, name: 'ci', role: 'sre_lead' });
    expect(printed.token).toMatch(/^rvt_/);
    token = printed.token;
    const stored = await h.tdb.db.selectFrom('api_tokens').selectAll().executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain(token); // only the hash is kept
  });
  afterAll(async () => h?.close());

  it('serves an OpenAPI 3.1 document that validates, and a self-contained reference page', async () => {
    const v = new Validator();
    const res = await v.validate(api.doc as never);
    expect(res.errors ?? []).toEqual([]);
    expect(res.valid).toBe(true);
    expect(v.version).toMatch(/^3\.1/);
    const docs = await fetch(`${h.app.url}/api/docs`);
    const html = await docs.text();
    expect(docs.headers.get('content-type')).toMatch(/text\/html/);
    expect(html).toContain('/api/v1/orgs/{orgId}/incidents');
    expect(html).not.toMatch(/<script|https?:\/\/(?!127\.0\.0\.1)[a-z]/i);
  });

  it('POST /incidents declares: the Slack fake shows the channel, the invite and the pinned summary', async () => {
    const r = await api.call('POST', `${base}/incidents`, {
      token,
      body: { title: 'Checkout errors from CI', severity: 'SEV2', service: 'checkout', commander: 'U0003' },
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      number: 1,
      title: 'Checkout errors from CI',
      severity: 'SEV2',
      status: 'OPEN',
      createdBy: 'token:ci',
      roles: { commander: 'U0003' },
    });
    incidentId = r.body.id;
    await h.settle();
    const ch = h.slack.findChannelByName('inc-1-checkout-errors-from-ci');
    expect(ch).toBeDefined();
    expect(ch!.members).toContain('U0003');
    const summary = h.slack.messages(ch!.id).find((m) => m.metadata?.event_type === EFFECT_METADATA_TYPE);
    expect(summary?.pinned_to).toContain(ch!.id);
    const events = await h.tdb.db
      .selectFrom('incident_events')
      .select(['type', 'actor'])
      .where('incident_id', '=', incidentId)
      .orderBy('seq')
      .execute();
    expect(events[0]).toEqual({ type: 'INCIDENT_CREATED', actor: 'token:ci' });
    const got = await api.call('GET', `${base}/incidents/${incidentId}`, { token });
    expect(got.status).toBe(200);
    expect(got.body.channel).toEqual({ id: ch!.id, name: ch!.name });
    expect(got.body.summaryTs).toBe(summary!.ts);
  });

  it('PATCH status edits the pinned summary in place; an illegal move is 409 with the reason', async () => {
    const inc = await h.tdb.db
      .selectFrom('incidents')
      .selectAll()
      .where('id', '=', incidentId)
      .executeTakeFirstOrThrow();
    const posts = () =>
      h.slack
        .callsTo('chat.postMessage')
        .filter((c) => JSON.stringify(c.params.metadata ?? '').includes(`summary:${incidentId}`)).length;
    const edits = () => h.slack.callsTo('chat.update').filter((c) => c.params.ts === inc.summary_ts).length;
    const [postsBefore, editsBefore] = [posts(), edits()];
    const r = await api.call('PATCH', `${base}/incidents/${incidentId}/status`, {
      token,
      body: { status: 'MITIGATED', message: 'Rolled back' },
    });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('MITIGATED');
    await h.settle();
    expect(edits()).toBeGreaterThan(editsBefore);
    expect(posts()).toBe(postsBefore);
    const pinned = h.slack.messages(inc.channel_id!).find((m) => m.ts === inc.summary_ts)!;
    expect(JSON.stringify(pinned.blocks)).toMatch(/Mitigated/i);
    const same = await api.call('PATCH', `${base}/incidents/${incidentId}/status`, {
      token,
      body: { status: 'MITIGATED' },
    });
    expect(same.status).toBe(409);
    expect(same.headers.get('content-type')).toBe('application/problem+json');
    expect(same.body).toMatchObject({ code: 'invalid_transition', status: 409 });
    expect(same.body.detail).toMatch(/already mitigated/);
  });

  it("a slash command's change shows in GET /incidents/:id/events, paged with an opaque cursor", async () => {
    const inc = await h.tdb.db
      .selectFrom('incidents')
      .selectAll()
      .where('id', '=', incidentId)
      .executeTakeFirstOrThrow();
    const cmd = await h.command('note Seen from Slack', { channel: inc.channel_id! });
    expect(cmd.status).toBe(200);
    const all: { type: string; actor: string; data: Record<string, unknown> }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r = await api.call(
        'GET',
        `${base}/incidents/${incidentId}/events?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        { token },
      );
      expect(r.status).toBe(200);
      all.push(...r.body.items);
      cursor = r.body.next;
      pages++;
    } while (cursor);
    expect(pages).toBeGreaterThan(1);
    expect(all.map((e) => e.type)).toContain('STATUS_CHANGED');
    expect(all.find((e) => e.type === 'NOTE_ADDED')).toMatchObject({ actor: ADMIN, data: { text: 'Seen from Slack' } });
    const seqs = all.map((e) => (e as unknown as { seq: number }).seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('runs the rest of the incident: severity, roles, notes, updates, follow-ups', async () => {
    const url = `${base}/incidents/${incidentId}`;
    expect((await api.call('PATCH', `${url}/severity`, { token, body: { severity: 'SEV1' } })).body.severity).toBe(
      'SEV1',
    );
    expect((await api.call('PUT', `${url}/roles/scribe`, { token, body: { userId: 'U0004' } })).body.roles.scribe).toBe(
      'U0004',
    );
    const note = await api.call('POST', `${url}/notes`, { token, body: { text: 'Error rate back to baseline' } });
    expect(note.status).toBe(201);
    expect(
      (await api.call('POST', `${url}/updates`, { token, body: { text: 'Customers can pay again' } })).body.lastUpdate
        .text,
    ).toBe('Customers can pay again');
    const action = await api.call('POST', `${url}/actions`, {
      token,
      body: { text: 'Alert on checkout 5xx', owner: 'U0003' },
    });
    expect(action.status).toBe(201);
    expect(action.body.followUp).toMatchObject({ text: 'Alert on checkout 5xx', owner: 'U0003', done: false });
    const done = await api.call('PATCH', `${url}/actions/${action.body.followUp.id}`, { token, body: { done: true } });
    expect(done.body.followUp).toMatchObject({ done: true, completedBy: 'token:ci' });
    const undone = await api.call('PATCH', `${url}/actions/${action.body.followUp.id}`, {
      token,
      body: { done: false },
    });
    // Reopened (done by mistake): the completion is undone and the follow-up is open again.
    expect(undone.status).toBe(200);
    expect(undone.body.followUp).toMatchObject({ done: false });
    expect(undone.body.followUp.completedBy ?? null).toBeNull();
    await h.settle();
    const ch = (
      await h.tdb.db.selectFrom('incidents').select('channel_id').where('id', '=', incidentId).executeTakeFirstOrThrow()
    ).channel_id!;
    expect(h.slack.channel(ch)!.members).toContain('U0004');
    expect(h.slack.messages(ch).some((m) => (m.text ?? '').includes('Error rate back to baseline'))).toBe(true);
    const snap = await api.call('GET', url, { token });
    expect(snap.body.timeline.count).toBeGreaterThanOrEqual(8);
    expect(snap.body.followUps).toHaveLength(1);
  });

  it('lists with filters, full-text q, a stable order and cursor pages; members and orgs', async () => {
    const second = await createApiToken(h.tdb.db, {
      orgId: TEAM,
      role: 'responder',
      name: 'lister',
      createdBy: 'test',
      now: new Date(),
    });
    const t = second.secret;
    for (const [title, severity, service] of [
      ['Payments gateway timeouts', 'SEV3', 'payments'],
      ['Search index lagging', 'SEV4', 'search'],
      ['Payments webhook retries', 'SEV2', 'payments'],
    ] as const) {
      expect(
        (
          await api.call('POST', `${base}/incidents`, {
            token: t,
            body: { title, severity, service, environment: 'prod' },
          })
        ).status,
      ).toBe(201);
    }
    await h.app.deps.searchIndexer?.flush();
    const page1 = await api.call('GET', `${base}/incidents?limit=2`, { token: t });
    expect(page1.body.items.map((i: { number: number }) => i.number)).toEqual([4, 3]);
    const page2 = await api.call('GET', `${base}/incidents?limit=2&cursor=${page1.body.next}`, { token: t });
    expect(page2.body.items.map((i: { number: number }) => i.number)).toEqual([2, 1]);
    expect(page2.body.next).toBeNull();
    const pay = await api.call('GET', `${base}/incidents?service=payments&severity=SEV2,SEV3&environment=prod`, {
      token: t,
    });
    expect(pay.body.items.map((i: { title: string }) => i.title)).toEqual([
      'Payments webhook retries',
      'Payments gateway timeouts',
    ]);
    const open = await api.call('GET', `${base}/incidents?status=MITIGATED`, { token: t });
    expect(open.body.items.map((i: { number: number }) => i.number)).toEqual([1]);
    const q = await api.call('GET', `${base}/incidents?q=lagging`, { token: t });
    expect(q.body.items.map((i: { title: string }) => i.title)).toEqual(['Search index lagging']);
    const future = await api.call(
      'GET',
      `${base}/incidents?since=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`,
      { token: t },
    );
    expect(future.body.items).toEqual([]);
    const until = await api.call('GET', `${base}/incidents?until=2000-01-01T00:00:00Z`, { token: t });
    expect(until.body.items).toEqual([]);
    const members = await api.call('GET', `${base}/members`, { token: t });
    expect(members.body.items).toContainEqual(expect.objectContaining({ userId: ADMIN, role: 'admin' }));
    const orgs = await api.call('GET', '/api/v1/orgs', { token: t });
    expect(orgs.body.items).toEqual([{ id: TEAM, role: 'responder', token: 'lister' }]);
    const listed = await h.tdb.db.selectFrom('api_tokens').select(['name', 'last_used_at']).orderBy('name').execute();
    expect(listed.every((x) => x.last_used_at)).toBe(true);
  });

  it('knowledge and watchlist: related incidents, postmortems, runbooks, the watchlist', async () => {
    const t = (
      await createApiToken(h.tdb.db, {
        orgId: TEAM,
        role: 'viewer',
        name: 'reader',
        createdBy: 'test',
        now: new Date(),
      })
    ).secret;
    const list = await api.call('GET', `${base}/incidents?service=payments`, { token: t });
    const newest = list.body.items[0];
    const related = await api.call('GET', `${base}/incidents/${newest.id}/related?limit=5`, { token: t });
    expect(related.status).toBe(200);
    expect(related.body.items.map((r: { title: string }) => r.title)).toContain('Payments gateway timeouts');
    expect(related.body.items.map((r: { incidentId: string }) => r.incidentId)).not.toContain(newest.id);
    const pms = await api.call('GET', `${base}/postmortems`, { token: t });
    expect(pms.body.items).toEqual([]);
    const rb = await api.call('GET', `${base}/runbooks/checkout`, { token: t });
    expect(rb.status).toBe(200);
    expect(rb.body).toMatchObject({
      service: 'checkout',
      source: 'file',
      steps: ['Roll back the last deploy', 'Drain the bad node'],
    });
    expect((await api.call('GET', `${base}/runbooks/nothing-here`, { token: t })).status).toBe(404);
    const wl = await api.call('GET', `${base}/watchlist`, { token: t });
    expect(wl.body).toEqual({ items: [], totals: { breached: 0, atRisk: 0 } });
    const clear = await api.call(
      'POST',
      `${base}/watchlist/${Buffer.from('{"s":"checkout","e":"prod"}').toString('base64url')}/clear`,
      { token: t },
    );
    expect(clear.status).toBe(403); // clearing is an SRE lead's call
    const admin = (
      await createApiToken(h.tdb.db, {
        orgId: TEAM,
        role: 'admin',
        name: 'clearer',
        createdBy: 'test',
        now: new Date(),
      })
    ).secret;
    expect(
      (
        await api.call(
          'POST',
          `${base}/watchlist/${Buffer.from('{"s":"checkout","e":"prod"}').toString('base64url')}/clear`,
          { token: admin },
        )
      ).status,
    ).toBe(404);
  });

  it('/incident token create: admins only, shown once to the caller, and the token works', async () => {
    const refused = await h.command('token create viewer from-bob', { user: 'U0002' });
    expect(refused.status).toBe(200);
    expect(refused.raw).not.toMatch(/rvt_/);
    expect(refused.raw).toMatch(/admin role/);
    const r = await h.command('token create viewer statuspage 30d');
    expect(r.status).toBe(200);
    expect(r.body.response_type ?? 'ephemeral').toBe('ephemeral');
    const secret = /`(rvt_[A-Za-z0-9_-]+)`/.exec(r.body.text)?.[1];
    expect(secret).toBeDefined();
    const orgs = await api.call('GET', '/api/v1/orgs', { token: secret });
    expect(orgs.body.items).toEqual([{ id: TEAM, role: 'viewer', token: 'statuspage' }]);
    const listed = await h.command('token list');
    expect(listed.body.text).toMatch(/`statuspage` viewer — last used 20/);
    expect(listed.body.text).not.toContain(secret);
    await h.command('token revoke statuspage');
    expect((await api.call('GET', '/api/v1/orgs', { token: secret })).status).toBe(401);
  });

  it('answers every response in the declared shape (checked above by the client)', () => {
    expect(new Set(api.checked.map((k) => k.split(' ').slice(0, 2).join(' '))).size).toBeGreaterThanOrEqual(12);
  });

  it('waits for nothing left behind', async () => {
    await waitFor(async () => {
      await h.settle();
      return true;
    });
  });
});
