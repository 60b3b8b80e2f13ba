import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextIncidentNumber } from '../../src/adapters/db/incident.queries';
import { indexIncident, searchRelated, searchRelatedTo } from '../../src/adapters/db/search.repo';
import { createIncidentService } from '../../src/app/incident.service';
import { searchIncidents } from '../../src/app/search.service';
import type { Actor, IncidentCommand } from '../../src/incidents/incident.types';
import { createTestDb, dialects, type TestDb } from '../helpers/test-db';

/*
 * Issue 16 fix: related incidents share substance. Every incident's timeline says "declared", "changed status
 * open → investigating"…; before, that alone made every past incident "related". Real full-text indexes
 * (FTS5, tsvector) on both databases.
 */

const actor: Actor = { kind: 'user', id: 'U1', role: 'sre_lead' };
const NOW = new Date('2026-12-02T08:00:00.000Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000);

describe.each(dialects())('related incidents share substance (%s)', (dialect) => {
  let t: TestDb;
  const org = `TR-${randomUUID().slice(0, 8)}`;
  const ids: Record<string, string> = {};

  async function declare(
    key: string,
    at: Date,
    d: { title: string; service?: string; description?: string },
    more: IncidentCommand[] = [],
  ) {
    const svc = createIncidentService({ db: t.db, now: () => at });
    const incidentId = randomUUID();
    await svc.execute({
      orgId: org,
      incidentId,
      actor,
      command: async (trx) => ({
        type: 'DeclareIncident',
        number: await nextIncidentNumber(trx, org),
        severity: 'SEV2',
        channelName: `inc-${key}`,
        environment: 'prod',
        ...d,
      }),
    });
    const boilerplate: IncidentCommand[] = [
      { type: 'ChangeStatus', status: 'INVESTIGATING', message: 'investigating' },
      { type: 'PostUpdate', text: 'Status update: still investigating' },
    ];
    for (const command of [...boilerplate, ...more]) await svc.execute({ orgId: org, incidentId, actor, command });
    await indexIncident(t.db, org, incidentId);
    ids[key] = incidentId;
  }

  beforeAll(async () => {
    t = await createTestDb(dialect);
    for (let i = 0; i < 6; i++)
      await declare(`noise${i}`, daysAgo(i + 1), {
        title: `Unrelated thing ${['dns', 'cdn', 'vpn', 'smtp', 'ldap', 'cron'][i]}`,
        service: `svc-${i}`,
      });
    await declare('kafka', daysAgo(20), { title: 'Orders stuck', service: 'orders' }, [
      { type: 'AddNote', text: 'consumer group kafka rebalance storm after broker restart' },
    ]);
    await declare('payments', daysAgo(3), { title: 'Card declines spike', service: 'payments' });
    await declare('current', NOW, {
      title: 'Checkout slow',
      service: 'checkout',
      description: 'kafka rebalance again, status investigating',
    });
  });
  afterAll(async () => t?.destroy());

  const current = async () => createIncidentService({ db: t.db, now: () => NOW }).load(org, ids.current);

  it('never relates incidents that only share boilerplate; a rare shared term does, and says which', async () => {
    const state = await current();
    const related = await searchRelatedTo(t.db, state, {
      text: `${state.title} ${state.description} declared status investigating`,
      limit: 10,
      now: NOW,
    });
    expect(related.map((r) => r.incidentId)).toEqual([ids.kafka]);
    expect(related[0].why).toEqual(
      expect.arrayContaining(['similar timeline or postmortem text', 'rare terms in common (kafka, rebalance)']),
    );
  });

  it('a catalog dependency makes an incident related, with the reason', async () => {
    const state = await current();
    const related = await searchRelatedTo(t.db, state, {
      text: state.title,
      limit: 10,
      now: NOW,
      neighbours: [{ service: 'payments', reason: 'checkout depends on payments' }],
    });
    expect(related.map((r) => r.incidentId)).toEqual([ids.payments]);
    expect(related[0].why).toContain('checkout depends on payments');
  });

  it('a text of nothing but boilerplate relates nothing (and is not an error)', async () => {
    expect(
      await searchRelated(t.db, {
        orgId: org,
        text: 'declared status investigating update',
        excludeIncidentId: ids.current,
        limit: 10,
        now: NOW,
      }),
    ).toEqual([]);
  });

  it("a person's own search still finds what they typed", async () => {
    const found = await searchIncidents(
      { db: t.db, now: () => NOW },
      { orgId: org, actor, which: 'all', query: 'investigating' },
    );
    expect(found.length).toBeGreaterThanOrEqual(8);
  });
});
