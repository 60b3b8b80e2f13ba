import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/adapters/logger';
import { SANDBOX_TEAM_ID } from '../../src/sandbox/sandbox.config';
import { type RunningSandbox, startSandbox } from '../../src/sandbox/sandbox.start';
import { createTestDb, dialects, type TestDb } from '../helpers/test-db';
import { until } from '../helpers/wait';

/**
 * The sandbox's own HTTP API, without a browser: what the page sends, what the bot does with it, and a
 * restart that must find the workspace the database points at.
 */


describe.each(dialects())('sandbox API (%s)', (dialect) => {
  let tdb: TestDb;
  let dir: string;
  let sb: RunningSandbox;
  let firstViewId = '';
  const start = () =>
    startSandbox({ PORT: '0', DATABASE_URL: tdb.url, LOG_LEVEL: 'silent' }, { snapshot: path.join(dir, 'workspace.slack.json'), workerPollMs: 20, logger: createLogger('silent') });
  const api = async (route: string, body: Record<string, unknown>) => {
    const res = await fetch(`${sb.url}/sandbox/api/${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'U0ALICE', ...body }) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const channelNamed = (prefix: string) => [...sb.workspace.team.channels.values()].find((c) => c.name.startsWith(prefix));
  const ephemerals = (channel: string, user = 'U0ALICE') => sb.workspace.team.ephemerals.filter((e) => e.channel === channel && e.user === user);

  beforeAll(async () => {
    tdb = await createTestDb(dialect);
    dir = mkdtempSync(path.join(tmpdir(), 'revenant-sandbox-'));
    sb = await start();
  });
  afterAll(async () => {
    await sb?.stop();
    await tdb?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('seeds four users with different roles and signs with its own secret', async () => {
    const grants = await tdb.db.selectFrom('access_grants').select(['user_id', 'role']).where('org_id', '=', SANDBOX_TEAM_ID).orderBy('user_id').execute();
    expect(grants).toEqual([
      { user_id: 'U0ALICE', role: 'admin' },
      { user_id: 'U0BOB', role: 'sre_lead' },
      { user_id: 'U0CAROL', role: 'responder' },
      { user_id: 'U0DAVE', role: 'viewer' },
    ]);
    expect(sb.config.slack.signingSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(sb.config.slack.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
    // A request the sandbox did not sign is refused by the bot, as Slack's would be.
    const forged = await fetch(`${sb.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-signature': 'v0=00', 'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)) }, body: 'command=%2Fincident&text=help' });
    expect(forged.status).toBe(401);
  });

  it('answers only loopback hosts and JSON writes', async () => {
    const plain = await fetch(`${sb.url}/sandbox/api/send`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ user: 'U0ALICE', channel: 'CSBXGENERAL', text: '/incident declare cross-site' }) });
    expect(plain.status).toBe(415);
    const status = await new Promise<number | undefined>((resolve, reject) => {
      request(`${sb.url}/sandbox/api/view`, { headers: { host: 'rebound.example:3000' } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      }).on('error', reject).end();
    });
    expect(status).toBe(403);
    expect(await tdb.db.selectFrom('incidents').select('id').execute()).toEqual([]);
  });

  it('live updates: the event stream says when something changed', async () => {
    const ac = new AbortController();
    const res = await fetch(`${sb.url}/sandbox/events`, { signal: ac.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    const version = Number(/data: (\d+)/.exec(first)?.[1]);
    expect(await api('send', { channel: 'CSBXGENERAL', text: 'hello sandbox' })).toMatchObject({ status: 200, body: { ok: true } });
    const next = new TextDecoder().decode((await reader.read()).value);
    expect(Number(/data: (\d+)/.exec(next)?.[1])).toBeGreaterThan(version);
    ac.abort();
  });

  it('a slow command’s “working…” reply is replaced by its answer, shown only to the caller', async () => {
    await api('send', { channel: 'CSBXGENERAL', text: '/incident declare sev2 Checkout latency spike' });
    const channel = await until(() => channelNamed('inc-1-'), 'the incident channel');
    await until(() => channel.pins.length === 1, 'the pinned summary');
    await api('send', { channel: channel.id, text: '/incident guidance' });
    const answer = await until(() => ephemerals(channel.id).find((e) => !/Working on/.test(e.text) && /guidance|runbook/i.test(e.text)), 'the guidance answer');
    expect(answer.user).toBe('U0ALICE');
    expect(ephemerals(channel.id).filter((e) => /Working on `guidance`/.test(e.text))).toEqual([]);
    expect(ephemerals(channel.id, 'U0BOB')).toEqual([]);
  });

  it('a modal refused by the bot stays open with its errors; fixed, it declares and closes', async () => {
    await api('send', { channel: 'CSBXGENERAL', text: '/incident declare' });
    const view = await until(() => [...sb.workspace.team.views.values()].find((v) => v.userId === 'U0ALICE' && !sb.workspace.closedViews.has(String(v.view.id))), 'the modal');
    const viewId = String(view.view.id);
    firstViewId = viewId;
    const blank = await api('view-submit', { viewId, values: { title: { title: '   ' }, severity: { severity: 'SEV2' } } });
    expect(blank.body).toMatchObject({ ok: true, closed: false });
    expect(sb.workspace.viewErrors.get(viewId)).toEqual({ title: 'Please give the incident a title.' });
    const ok = await api('view-submit', { viewId, values: { title: { title: 'Search is slow' }, severity: { severity: 'SEV2' } } });
    expect(ok.body).toMatchObject({ ok: true, closed: true });
    const inc = await tdb.db.selectFrom('incidents').select(['title', 'severity']).where('number', '=', 2).executeTakeFirstOrThrow();
    expect(inc).toEqual({ title: 'Search is slow', severity: 'SEV2' });
  });

  it('a button inside an ephemeral reply works: Clear on the watchlist clears the entry', async () => {
    expect((await api('alert', { scenario: 'alertmanager-latency', phase: 'firing' })).body).toMatchObject({ ok: true, status: 202 });
    await api('send', { channel: 'CSBXGENERAL', text: '/incident watchlist' });
    const list = await until(() => ephemerals('CSBXGENERAL').find((e) => JSON.stringify(e.blocks ?? []).includes('checkout')), 'the watchlist reply');
    type Button = { type: string; action_id: string; value?: string; text: { text: string } };
    const blocks = (list.blocks ?? []) as Array<{ block_id?: string; elements?: Button[]; accessory?: Button }>;
    const [block, clear] = blocks.flatMap((b) => [...(b.elements ?? []), ...(b.accessory ? [b.accessory] : [])].map((el) => [b, el] as const)).find(([, el]) => el.type === 'button' && el.text.text === 'Clear' && (el.value ?? '').includes('checkout'))!;
    const res = await api('action', { channelId: 'CSBXGENERAL', ts: list.ts, ephemeral: true, type: 'button', actionId: clear.action_id, blockId: block.block_id ?? '', value: clear.value, text: 'Clear' });
    expect(res.body).toMatchObject({ ok: true });
    await until(() => ephemerals('CSBXGENERAL').find((e) => /Cleared checkout \(prod\)/.test(e.text)), 'the Clear answer');
    const row = await tdb.db.selectFrom('watchlist').select('cleared_by').where('org_id', '=', SANDBOX_TEAM_ID).where('service', '=', 'checkout').executeTakeFirstOrThrow();
    expect(row.cleared_by).toBe('U0ALICE');
  });

  it('after a restart the workspace, its connectors and its incidents still fit together', async () => {
    const channel = channelNamed('inc-1-')!;
    const connectorUrls = async () => (await fetch(`${sb.url}/sandbox`).then((r) => r.text())).match(/connectors\/con_[\w-]+\/webhook/g);
    const connectors = await connectorUrls();
    expect(connectors).toHaveLength(3);
    await until(() => channelNamed('inc-2-'), 'the second channel');
    await sb.stop();
    sb = await start();
    const restored = sb.workspace.channel(channel.id);
    expect(restored?.name).toBe(channel.name);
    expect(restored?.pins).toHaveLength(1);
    expect(await connectorUrls()).toEqual(connectors);
    // The bot still edits the summary it pinned before the restart, in the restored channel.
    await api('send', { channel: channel.id, text: '/incident status mitigated Rolled back' });
    await until(() => JSON.stringify(restored?.messages.find((m) => m.ts === restored.pins[0].ts)?.blocks ?? '').includes('Mitigated'), 'the summary edit');
    // New channels get fresh ids, never a restored one.
    const before = new Set(sb.workspace.team.channels.keys());
    await api('send', { channel: 'CSBXGENERAL', text: '/incident declare sev4 After restart' });
    const third = await until(() => channelNamed('inc-3-'), 'the third channel');
    expect(before.has(third.id)).toBe(false);
    const fired = await api('alert', { scenario: 'datadog-availability', phase: 'firing' });
    expect(fired.body).toMatchObject({ ok: true, status: 202 });
  });

  it('never hands out a modal id twice, however often it restarts (the bot keys submissions on it)', async () => {
    await sb.stop();
    sb = await start();
    await sb.stop();
    sb = await start();
    await api('send', { channel: 'CSBXGENERAL', text: '/incident declare' });
    const view = await until(() => [...sb.workspace.team.views.values()].find((v) => v.userId === 'U0ALICE'), 'the modal');
    expect(firstViewId).toMatch(/^V0/);
    expect(String(view.view.id) > firstViewId).toBe(true);
    const ok = await api('view-submit', { viewId: String(view.view.id), values: { title: { title: 'Third restart' }, severity: { severity: 'SEV4' } } });
    expect(ok.body).toMatchObject({ ok: true, closed: true });
    await until(() => tdb.db.selectFrom('incidents').select('id').where('title', '=', 'Third restart').executeTakeFirst(), 'the declared incident');
  });
});
