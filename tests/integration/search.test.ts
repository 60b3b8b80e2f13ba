import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextIncidentNumber } from '../../src/adapters/db/incident.queries';
import { indexIncident, pastActionsOf, reindexAllIncidents, searchDocumentOf, searchRelated, writeSearchDocument } from '../../src/adapters/db/search.repo';
import { loadGuidanceContext } from '../../src/adapters/db/guidance.context';
import { createSearchIndexer } from '../../src/adapters/db/search.indexer';
import { createRunbookFiles } from '../../src/adapters/runbooks/runbook-files';
import { createIncidentService } from '../../src/app/incident.service';
import { buildGuidance } from '../../src/guidance/guidance.builder';
import { GUIDANCE_ADD_ACTION, guidanceBlocks } from '../../src/adapters/slack/guidance/guidance.blocks';
import type { Actor, IncidentCommand, SignalRef } from '../../src/incidents/incident.types';
import { createTestDb, dialects, type TestDb } from '../helpers/test-db';

const actor: Actor = { kind: 'user', id: 'U1', role: 'sre_lead' };
const NOW = new Date('2026-11-21T12:00:00.000Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000);

const signal = (fingerprint: string, service: string, title: string, correlationKey?: string): SignalRef => ({
  signalId: randomUUID(),
  fingerprint,
  service,
  environment: 'prod',
  title,
  risk: 'BREACHED',
  status: 'firing',
  source: 'alertmanager',
  correlationKey,
});

describe.each(dialects())('related incident search on %s', (dialect) => {
  let t: TestDb;
  // Unique org ids: even on a shared database, nothing here can see another run's incidents.
  const orgA = `TA-${randomUUID().slice(0, 8)}`;
  const orgB = `TB-${randomUUID().slice(0, 8)}`;
  const ids: Record<string, string> = {};

  async function declare(orgId: string, key: string, at: Date, d: { title: string; service?: string; environment?: string; description?: string }, more: IncidentCommand[] = []) {
    const svc = createIncidentService({ db: t.db, now: () => at });
    const incidentId = randomUUID();
    await svc.execute({
      orgId,
      incidentId,
      actor,
      command: async (trx) => ({ type: 'DeclareIncident', number: await nextIncidentNumber(trx, orgId), severity: 'SEV2', channelName: `inc-${key}`, ...d }),
    });
    for (const command of more) await svc.execute({ orgId, incidentId, actor, command });
    await indexIncident(t.db, orgId, incidentId);
    ids[key] = incidentId;
    return incidentId;
  }

  beforeAll(async () => {
    t = await createTestDb(dialect);
    await declare(orgA, 'checkoutLatency', daysAgo(10), { title: 'Checkout latency spike after deploy', service: 'checkout', environment: 'prod' }, [
      { type: 'AddNote', text: 'Rolled back release 42, latency recovered' },
      { type: 'AddAction', actionId: randomUUID(), text: 'Roll back checkout to the previous release' },
      { type: 'ChangeStatus', status: 'RESOLVED' },
    ]);
    await declare(orgA, 'searchBacklog', daysAgo(2), { title: 'Search indexing backlog', service: 'search', environment: 'prod' });
    await declare(orgA, 'checkoutStaging', daysAgo(30), { title: 'Checkout errors in staging', service: 'checkout', environment: 'staging' });
    await declare(orgA, 'diskFull', daysAgo(5), { title: 'Disk full on db-3', service: 'db', environment: 'prod' }, [
      { type: 'AttachSignal', signal: signal('fp-disk', 'db', 'DiskAlmostFull', 'host:db-3') },
    ]);
    await declare(orgA, 'current', NOW, { title: 'Checkout latency high', service: 'checkout', environment: 'prod' });
    // Another workspace with the most similar incident of all: it must never show up for org A.
    await declare(orgB, 'otherOrg', daysAgo(1), { title: 'Checkout latency high', service: 'checkout', environment: 'prod' }, [
      { type: 'AttachSignal', signal: signal('fp-disk', 'db', 'DiskAlmostFull', 'host:db-3') },
    ]);
  });
  afterAll(async () => t?.destroy());

  const search = (over: Partial<Parameters<typeof searchRelated>[1]> = {}) =>
    searchRelated(t.db, { orgId: orgA, text: 'Checkout latency high', service: 'checkout', environment: 'prod', excludeIncidentId: ids.current, limit: 10, now: NOW, ...over });

  it('ranks the past incident with the same service and a similar title first', async () => {
    const r = await search();
    expect(r[0]).toMatchObject({ incidentId: ids.checkoutLatency, title: 'Checkout latency spike after deploy', status: 'RESOLVED', service: 'checkout' });
    expect(r[0].why).toEqual(expect.arrayContaining(['same service (checkout)', 'same environment (prod)']));
    expect(r[0].why.some((w) => w.startsWith('similar title (checkout, latency'))).toBe(true);
    const order = r.map((x) => x.incidentId);
    expect(order.indexOf(ids.checkoutStaging)).toBeLessThan(order.indexOf(ids.searchBacklog) === -1 ? Infinity : order.indexOf(ids.searchBacklog));
    expect(order).not.toContain(ids.current);
    for (let i = 1; i < r.length; i++) expect(r[i - 1].score).toBeGreaterThanOrEqual(r[i].score);
  });

  it('never returns another workspace’s incidents', async () => {
    const all = await search({ fingerprints: ['fp-disk'], correlationKeys: ['host:db-3'], text: 'checkout latency high disk full' });
    expect(all.map((x) => x.incidentId)).not.toContain(ids.otherOrg);
    const b = await searchRelated(t.db, { orgId: orgB, text: 'Checkout latency spike after deploy', service: 'checkout', limit: 10, now: NOW });
    expect(b.map((x) => x.incidentId)).toEqual([ids.otherOrg]);
  });

  it('finds incidents that fired the same alert, even with unrelated text', async () => {
    const r = await search({ text: 'something else entirely', service: undefined, environment: undefined, fingerprints: ['fp-disk'] });
    expect(r[0]).toMatchObject({ incidentId: ids.diskFull });
    expect(r[0].why).toContain('same alert fired');
    const k = await search({ text: '', service: undefined, correlationKeys: ['host:db-3'] });
    expect(k[0].why).toContain('same correlation key (host:db-3)');
  });

  it('searches timeline text with stemming', async () => {
    const r = await search({ text: 'roll back release', service: undefined, environment: undefined });
    expect(r[0]?.incidentId).toBe(ids.checkoutLatency);
  });

  it('treats hostile text as words, never as query syntax', async () => {
    for (const text of ['"unterminated', 'NEAR(checkout', 'title:checkout*', 'a OR AND NOT -', '!!! & | <> :*', "'); drop table incidents; --"]) {
      await expect(search({ text })).resolves.toBeInstanceOf(Array);
    }
    expect(await t.db.selectFrom('incidents').select('id').where('org_id', '=', orgA).execute()).toHaveLength(5);
  });

  it('re-indexes after changes and includes the latest postmortem draft', async () => {
    const svc = createIncidentService({ db: t.db, now: () => NOW });
    await svc.execute({ orgId: orgA, incidentId: ids.searchBacklog, actor, command: { type: 'AddNote', text: 'elasticsearch shard relocation storm' } });
    // Not indexed yet: the note is in the read model but not in the search document.
    expect((await search({ text: 'shard relocation', service: undefined })).map((x) => x.incidentId)).not.toContain(ids.searchBacklog);
    await indexIncident(t.db, orgA, ids.searchBacklog);
    const r = await search({ text: 'shard relocation', service: undefined });
    expect(r[0]?.incidentId).toBe(ids.searchBacklog);

    const draft = (version: number, markdown: string) => ({ org_id: orgA, incident_id: ids.checkoutStaging, version, markdown, generator: 'deterministic', model: null, tokens: null, created_by: 'U1', created_at: NOW.toISOString() });
    await t.db.insertInto('postmortems').values([draft(1, 'old draft about dns'), draft(2, 'Root cause: connection pool exhaustion')]).execute();
    expect(await reindexAllIncidents(t.db, orgA)).toBe(5);
    const pm = await search({ text: 'pool exhaustion', service: undefined });
    expect(pm[0]?.incidentId).toBe(ids.checkoutStaging);
    expect(pm[0].why).toContain('similar timeline or postmortem text');
    // Only the latest draft is indexed.
    expect((await search({ text: 'dns', service: undefined })).map((x) => x.incidentId)).not.toContain(ids.checkoutStaging);
  });

  it('removes an unknown incident from the index', async () => {
    expect(await indexIncident(t.db, orgA, 'no-such-incident')).toBe(false);
    // An incident id from another org is unknown in this org: indexing it here does nothing to it.
    expect(await indexIncident(t.db, orgA, ids.otherOrg)).toBe(false);
    const b = await searchRelated(t.db, { orgId: orgB, text: 'checkout latency', limit: 5, now: NOW });
    expect(b.map((x) => x.incidentId)).toEqual([ids.otherOrg]);
  });

  it('lists what was done in related incidents', async () => {
    const related = await search();
    const actions = await pastActionsOf(t.db, orgA, related);
    expect(actions).toContainEqual({ incidentNumber: related[0].number, text: 'Roll back checkout to the previous release', done: false });
    expect(await pastActionsOf(t.db, orgB, related)).toEqual([]);
  });

  it('returns nothing for limit 0 and for an org with no incidents', async () => {
    expect(await search({ limit: 0 })).toEqual([]);
    expect(await searchRelated(t.db, { orgId: 'T-empty', text: 'checkout', service: 'checkout', limit: 5, now: NOW })).toEqual([]);
  });

  it('loads the guidance context of the current incident: runbook, related incidents, past actions', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'revenant-guidance-'));
    writeFileSync(path.join(dir, 'checkout.md'), '# Checkout\n## Latency\n- [caution] Scale checkout to 10 pods\n## Diagnosis\n- Is the payment provider slow?\n');
    const files = createRunbookFiles(dir, { watch: false });
    try {
      const state = await createIncidentService({ db: t.db }).load(orgA, ids.current);
      const ctx = await loadGuidanceContext(t.db, files, state, NOW);
      expect(ctx.runbooks.map((r) => r.service)).toEqual(['checkout']);
      expect(ctx.related[0].incidentId).toBe(ids.checkoutLatency);
      expect(ctx.related.map((r) => r.incidentId)).not.toContain(ids.otherOrg);
      expect(ctx.pastActions.map((a) => a.text)).toContain('Roll back checkout to the previous release');
      expect(ctx.incident.timeline?.[0]).toContain('declared INC-');

      const g = buildGuidance(ctx);
      expect(g.actions[0]).toMatchObject({ text: 'Scale checkout to 10 pods', safety: 'caution' });
      expect(g.actions.map((a) => a.text)).toContain('Roll back checkout to the previous release');
      expect(g.questions).toContain('Is the payment provider slow?');
      const { blocks } = guidanceBlocks({ incidentId: state.id, incidentNumber: state.number, view: { guidance: g } });
      expect(JSON.stringify(blocks)).toContain(GUIDANCE_ADD_ACTION);
    } finally {
      files.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a storm's document samples its signal titles: 300 distinct titles, 100 listed", async () => {
    const stormId = await declare(orgB, 'titleStorm', daysAgo(1), { title: 'Checkout storm', service: 'checkout' }, [
      { type: 'AttachSignals', signals: Array.from({ length: 300 }, (_, i) => signal(`fp-storm-${i}`, 'checkout', `5xx on web-${i}`)) },
    ]);
    const doc = await searchDocumentOf(t.db, orgB, stormId);
    expect(doc?.title).toBe('Checkout storm');
    // Bare title lines (the timeline's own lines, one per alert, say "Signal breached: <title> (…)").
    expect(doc?.body.match(/^5xx on web-\d+$/gm)).toHaveLength(100);
  });

  it('the indexer does not rewrite a document that has not changed, and does rewrite one that has', async () => {
    const indexer = createSearchIndexer(t.db, { delayMs: 10_000 });
    const svc = createIncidentService({ db: t.db, now: () => NOW });
    const id = await declare(orgB, 'rewrites', daysAgo(1), { title: 'Queue backlog on ledger', service: 'ledger' });
    const found = async (text: string) => (await searchRelated(t.db, { orgId: orgB, text, limit: 5, now: NOW, purpose: 'search' })).map((r) => r.incidentId);
    indexer.schedule(orgB, id);
    await indexer.flush();
    expect(await found('ledger backlog')).toContain(id);
    // Take the entry out behind the indexer's back: an unchanged document is skipped, so it stays out...
    await writeSearchDocument(t.db, orgB, id, undefined);
    indexer.schedule(orgB, id);
    await indexer.flush();
    expect(await found('ledger backlog')).not.toContain(id);
    // ...and the first change writes it again, new text included.
    await svc.execute({ orgId: orgB, incidentId: id, actor, command: { type: 'AddNote', text: 'consumer lag from partition rebalance' } });
    indexer.schedule(orgB, id);
    await indexer.flush();
    expect(await found('rebalance')).toContain(id);
    await indexer.close();
  });

  it('the background indexer folds repeated schedules and reports failures instead of throwing', async () => {
    const errors: unknown[] = [];
    const indexer = createSearchIndexer(t.db, { delayMs: 10_000, onError: (e) => errors.push(e) });
    const svc = createIncidentService({ db: t.db, now: () => NOW });
    await svc.execute({ orgId: orgA, incidentId: ids.diskFull, actor, command: { type: 'AddNote', text: 'inode exhaustion on volume' } });
    indexer.schedule(orgA, ids.diskFull);
    indexer.schedule(orgA, ids.diskFull);
    await indexer.flush();
    expect((await search({ text: 'inode volume', service: undefined }))[0]?.incidentId).toBe(ids.diskFull);
    await indexer.close();
    indexer.schedule(orgA, ids.diskFull); // ignored after close
    expect(errors).toEqual([]);
  });
});
