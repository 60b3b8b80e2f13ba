import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextIncidentNumber } from '../../src/adapters/db/incident.queries';
import { indexIncident } from '../../src/adapters/db/search.repo';
import { createGuidanceDrafter } from '../../src/adapters/openai/guidance-llm';
import { type RunbookFiles, createRunbookFiles } from '../../src/adapters/runbooks/runbook-files';
import { effect } from '../../src/app/effects';
import {
  type GuidanceMessage,
  type GuidanceServiceDeps,
  createGuidanceService,
  deterministicGuidance,
} from '../../src/app/guidance.service';
import { createIncidentService } from '../../src/app/incident.service';
import { createRunbookService } from '../../src/app/runbook.service';
import { searchIncidents } from '../../src/app/search.service';
import { loadConfig } from '../../src/config';
import type { Actor, IncidentCommand } from '../../src/incidents/incident.types';
import { type OpenAiFake, startOpenAiFake } from '../fakes/openai-fake.server';
import { createTestDb, dialects, type TestDb } from '../helpers/test-db';

const RUNBOOK = `# Checkout

## Mitigation
- [safe] Check the checkout error dashboard
- [caution] Roll back the last checkout deploy
- [dangerous] Restart the checkout database primary
`;
// No recognisable credential shape: only the configured-secrets list keeps it from the model.
const OPENAI_KEY = 'plainkey-openai-guidance-6b2d9f';
const NOW = new Date('2026-11-21T12:00:00.000Z');
const lead: Actor = { kind: 'user', id: 'U0LEAD', role: 'sre_lead' };
const responder: Actor = { kind: 'user', id: 'U0RESP', role: 'responder' };
const viewer: Actor = { kind: 'user', id: 'U0VIEW', role: 'viewer' };

describe.each(dialects())('guidance, runbook and search services, called directly (%s)', (dialect) => {
  let t: TestDb;
  let ai: OpenAiFake;
  let dir: string;
  let files: RunbookFiles;
  let incidents: ReturnType<typeof createIncidentService>;
  const org = `T${randomUUID().slice(0, 8).toUpperCase()}`;
  const ids: Record<string, string> = {};
  const planned: GuidanceMessage[] = [];

  async function declare(key: string, title: string, more: IncidentCommand[] = []) {
    const incidentId = randomUUID();
    await incidents.execute({
      orgId: org,
      incidentId,
      actor: lead,
      command: async (trx) => ({
        type: 'DeclareIncident',
        number: await nextIncidentNumber(trx, org),
        title,
        severity: 'SEV2',
        service: 'checkout',
        channelName: `inc-${key}`,
      }),
    });
    await incidents.execute({
      orgId: org,
      incidentId,
      actor: lead,
      command: { type: 'LinkChannel', channelId: `C${key.toUpperCase()}`, channelName: `inc-${key}` },
    });
    for (const command of more) await incidents.execute({ orgId: org, incidentId, actor: lead, command });
    await indexIncident(t.db, org, incidentId);
    ids[key] = incidentId;
  }

  const deps = (drafter: GuidanceServiceDeps['drafter']): GuidanceServiceDeps => ({
    db: t.db,
    incidents,
    runbooks: files,
    logger: { warn: () => undefined },
    now: () => NOW,
    drafter,
    planPost: (m) => {
      planned.push(m);
      return effect('slack.post', {
        incidentId: m.incidentId,
        text: `guidance for INC-${m.incidentNumber}`,
        thread: 'summary',
      });
    },
  });
  const posts = (incidentId: string) =>
    t.db
      .selectFrom('outbox')
      .select(['kind', 'payload'])
      .where('incident_id', '=', incidentId)
      .where('kind', '=', 'slack.post')
      .execute();
  const records = (incidentId: string) =>
    t.db
      .selectFrom('incident_events')
      .select(['actor', 'payload'])
      .where('incident_id', '=', incidentId)
      .where('type', '=', 'GUIDANCE_GENERATED')
      .execute();

  beforeAll(async () => {
    t = await createTestDb(dialect);
    ai = await startOpenAiFake();
    dir = mkdtempSync(path.join(tmpdir(), 'revenant-guidance-service-'));
    writeFileSync(path.join(dir, 'checkout.md'), RUNBOOK);
    files = createRunbookFiles(dir, { watch: false });
    incidents = createIncidentService({ db: t.db, now: () => NOW });
    await declare('past', 'Checkout latency spike after deploy', [
      { type: 'AddAction', actionId: randomUUID(), text: 'Purge the checkout CDN cache' },
      { type: 'ChangeStatus', status: 'RESOLVED' },
    ]);
    await declare('now', 'Checkout latency high', [{ type: 'AddNote', text: `pasted ${OPENAI_KEY} by mistake` }]);
  });
  afterAll(async () => {
    files?.close();
    await ai?.close();
    await t?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('deterministic guidance for a viewer: runbook steps and past actions, recorded with the post queued in one go', async () => {
    const service = createGuidanceService(deps(deterministicGuidance));
    const r = await service.forIncident({ orgId: org, incidentId: ids.now, actor: viewer, idempotencyKey: 'slash:G1' });
    if (r.duplicate) throw new Error('first request seen as a retry');
    expect(r.incidentNumber).toBe(2);
    const texts = r.result.guidance.actions.map((a) => `${a.safety}:${a.text}`);
    expect(texts).toEqual(
      expect.arrayContaining([
        'safe:Check the checkout error dashboard',
        'dangerous:Restart the checkout database primary',
      ]),
    );
    expect(r.result.guidance.actions.some((a) => a.source.kind === 'incident' && a.source.number === 1)).toBe(true);
    expect(r.result.guidance.related[0]).toMatchObject({ number: 1 });
    expect(planned.at(-1)).toMatchObject({ incidentId: ids.now, incidentNumber: 2 });
    expect(await records(ids.now)).toEqual([expect.objectContaining({ actor: 'U0VIEW' })]);
    const queued = await posts(ids.now);
    expect(queued).toHaveLength(1);
    expect(JSON.parse(queued[0].payload)).toMatchObject({ thread: 'summary', text: 'guidance for INC-2' });
  });

  it('a retry of the same request neither records nor queues again', async () => {
    const service = createGuidanceService(deps(deterministicGuidance));
    expect(
      await service.forIncident({ orgId: org, incidentId: ids.now, actor: viewer, idempotencyKey: 'slash:G1' }),
    ).toEqual({ duplicate: true });
    expect(await records(ids.now)).toHaveLength(1);
    expect(await posts(ids.now)).toHaveLength(1);
  });

  it('with a model: its answer is used, and no configured secret reaches it; a model failure falls back and says why', async () => {
    const config = loadConfig({ OPENAI_API_KEY: OPENAI_KEY, OPENAI_BASE_URL: ai.url, OPENAI_MODEL: 'fake-gpt-mini' });
    const service = createGuidanceService(deps(createGuidanceDrafter(config)));
    ai.respondWith({
      json: {
        actions: [{ text: 'Drain the checkout queue', safety: 'caution', source: { kind: 'model' } }],
        questions: ['Is the queue growing?'],
      },
      model: 'fake-gpt-mini',
    });
    const r = await service.forIncident({
      orgId: org,
      incidentId: ids.now,
      actor: responder,
      idempotencyKey: 'slash:G2',
    });
    if (r.duplicate) throw new Error('seen as a retry');
    expect(r.result).toMatchObject({ model: 'fake-gpt-mini', guidance: { generator: 'llm' } });
    expect(r.result.guidance.actions.map((a) => a.text)).toContain('Drain the checkout queue');
    const sent = ai.requests.filter((q) => q.path === '/v1/chat/completions');
    expect(sent).toHaveLength(1);
    expect(sent[0].raw).toContain('Checkout latency high');
    expect(sent[0].raw).not.toContain(OPENAI_KEY);

    ai.respondWith({ status: 500 });
    const f = await service.forIncident({
      orgId: org,
      incidentId: ids.now,
      actor: responder,
      idempotencyKey: 'slash:G3',
    });
    if (f.duplicate) throw new Error('seen as a retry');
    expect(f.result).toMatchObject({
      fallbackReason: 'model API returned HTTP 500',
      guidance: { generator: 'deterministic' },
    });
    expect((await records(ids.now)).map((e) => JSON.parse(e.payload).generator)).toEqual([
      'deterministic',
      'llm',
      'deterministic',
    ]);
  });

  it('a suggestion becomes a follow-up once, only from its own incident channel and only for responders', async () => {
    const service = createGuidanceService(deps(deterministicGuidance));
    const add = (over: Partial<Parameters<typeof service.addSuggestion>[0]>) =>
      service.addSuggestion({
        orgId: org,
        incidentId: ids.now,
        channelId: 'CNOW',
        actor: responder,
        text: 'Roll back the last checkout deploy',
        ...over,
      });
    expect(await add({ idempotencyKey: 'guidance:A1' })).toEqual({ incidentNumber: 2, added: true });
    expect(await add({ idempotencyKey: 'guidance:A1' })).toMatchObject({ added: false });
    expect(await add({ idempotencyKey: 'guidance:A2', text: '  roll back the LAST checkout deploy ' })).toEqual({
      incidentNumber: 2,
      added: false,
      reason: 'already_open',
    });
    await expect(add({ channelId: 'CPAST' })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(add({ orgId: 'TOTHER' })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(add({ actor: viewer, text: 'Something new' })).rejects.toMatchObject({ code: 'forbidden' });
    const state = await incidents.load(org, ids.now);
    expect(state.actions.map((a) => a.text)).toEqual(['Roll back the last checkout deploy']);
  });

  it('runbooks: everyone reads, leads change; a stored runbook wins over the file until cleared', async () => {
    const runbooks = createRunbookService({ db: t.db, files, now: () => NOW });
    const shown = await runbooks.show({ orgId: org, actor: viewer, service: 'Checkout' });
    expect(shown).toMatchObject({ service: 'checkout', runbook: { source: 'file' } });
    await expect(
      runbooks.setLink({ orgId: org, actor: responder, service: 'checkout', url: 'https://wiki.example/checkout' }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    await expect(runbooks.startEdit({ orgId: org, actor: viewer, service: 'checkout' })).rejects.toMatchObject({
      code: 'forbidden',
    });
    const linked = await runbooks.setLink({
      orgId: org,
      actor: lead,
      service: 'checkout',
      url: 'https://wiki.example/checkout',
    });
    expect(linked).toMatchObject({ source: 'db', url: 'https://wiki.example/checkout' });
    expect(
      (await runbooks.show({ orgId: org, actor: viewer, service: 'checkout' })).runbook?.runbook?.sections[0].steps,
    ).toHaveLength(3);
    await runbooks.save({
      orgId: org,
      actor: lead,
      service: 'checkout',
      markdown: '## Steps\n- [safe] Only this',
      url: 'https://wiki.example/checkout',
    });
    expect(await runbooks.startEdit({ orgId: org, actor: lead, service: 'checkout' })).toEqual({
      service: 'checkout',
      markdown: '## Steps\n- [safe] Only this',
      url: 'https://wiki.example/checkout',
    });
    expect(await runbooks.list({ orgId: org, actor: viewer })).toEqual(['checkout']);
    expect(await runbooks.clear({ orgId: org, actor: lead, service: 'checkout' })).toEqual({
      service: 'checkout',
      removed: true,
    });
    expect(await runbooks.clear({ orgId: org, actor: lead, service: 'checkout' })).toEqual({
      service: 'checkout',
      removed: false,
    });
    expect((await runbooks.show({ orgId: org, actor: viewer, service: 'checkout' })).runbook?.source).toBe('file');
    await expect(runbooks.show({ orgId: org, actor: viewer, service: '../etc' })).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });

  it('search ranks this workspace only; `open` keeps open incidents even when a closed one ranks first', async () => {
    const db = { db: t.db, now: () => NOW };
    const all = await searchIncidents(db, { orgId: org, actor: viewer, which: 'all', query: 'checkout latency' });
    expect(all.map((r) => r.number).sort()).toEqual([1, 2]);
    const open = await searchIncidents(db, { orgId: org, actor: viewer, which: 'open', query: 'checkout latency' });
    expect(open.map((r) => r.number)).toEqual([2]);
    expect(
      await searchIncidents(db, { orgId: 'TOTHER', actor: viewer, which: 'all', query: 'checkout latency' }),
    ).toEqual([]);
  });
});
