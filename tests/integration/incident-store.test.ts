import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rebuildProjections } from '../../src/adapters/db/rebuild';
import { createEffectPlanner } from '../../src/adapters/slack/effects.planner';
import { createIncidentService } from '../../src/app/incident.service';
import type { Actor } from '../../src/incidents/incident.types';
import { DomainError } from '../../src/shared/domain-error';
import { createTestDb, dialects, type TestDb } from '../helpers/test-db';

const lead: Actor = { kind: 'user', id: 'U1', role: 'sre_lead' };
const viewer: Actor = { kind: 'user', id: 'U2', role: 'viewer' };

/** Every read-model table, sorted, for comparing live projections with a rebuild. */
async function snapshot(t: TestDb) {
  const db = t.db;
  return {
    incidents: await db.selectFrom('incidents').selectAll().orderBy('id').execute(),
    timeline: await db.selectFrom('incident_timeline').selectAll().orderBy('incident_id').orderBy('seq').execute(),
    actions: await db.selectFrom('incident_actions').selectAll().orderBy('action_id').execute(),
    signals: await db.selectFrom('incident_signals').selectAll().orderBy('incident_id').orderBy('fingerprint').execute(),
  };
}

describe.each(dialects())('incident store on %s', (dialect) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb(dialect);
  });
  afterAll(async () => t?.destroy());

  const service = () => createIncidentService({ db: t.db, now: () => new Date('2026-11-21T10:00:00Z'), planEffects: createEffectPlanner({}) });

  async function declare(svc = service(), title = 'Checkout latency') {
    return svc.execute({
      orgId: 'T1',
      incidentId: randomUUID(),
      actor: lead,
      command: async () => ({ type: 'DeclareIncident', number: Math.floor(Math.random() * 1e9), title, severity: 'SEV2', channelName: 'inc-x' }),
    });
  }

  it('appends, projects and enqueues effects in one transaction', async () => {
    const svc = service();
    const r = await declare(svc);
    expect(r.events.map((e) => e.type)).toEqual(['INCIDENT_CREATED']);
    const row = await t.db.selectFrom('incidents').selectAll().where('id', '=', r.incidentId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'OPEN', severity: 'SEV2', version: 1, org_id: 'T1' });
    const outbox = await t.db.selectFrom('outbox').select(['kind']).where('incident_id', '=', r.incidentId).execute();
    expect(outbox.map((o) => o.kind)).toEqual(['incident.open_channel']);
  });

  it('never loses an event when many commands race on one incident', async () => {
    const r = await declare();
    // Separate service instances: separate caches, like separate processes.
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => service().execute({ orgId: 'T1', incidentId: r.incidentId, actor: lead, command: { type: 'AddNote', text: `note ${i}` } })),
    );
    expect(results.every((x) => x.events.length === 1)).toBe(true);
    const seqs = (await t.db.selectFrom('incident_events').select('seq').where('incident_id', '=', r.incidentId).orderBy('seq').execute()).map((x) => Number(x.seq));
    expect(seqs).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    const row = await t.db.selectFrom('incidents').select(['note_count', 'version']).where('id', '=', r.incidentId).executeTakeFirstOrThrow();
    expect(row).toEqual({ note_count: 20, version: 21 });
  });

  it('a refusal leaves the log, the read models and the outbox unchanged', async () => {
    const r = await declare();
    const before = await snapshot(t);
    const outboxBefore = await t.db.selectFrom('outbox').select('id').execute();
    await expect(service().execute({ orgId: 'T1', incidentId: r.incidentId, actor: viewer, command: { type: 'ChangeSeverity', severity: 'SEV1' } })).rejects.toBeInstanceOf(DomainError);
    await expect(service().execute({ orgId: 'T1', incidentId: r.incidentId, actor: lead, command: { type: 'ChangeStatus', status: 'RESOLVED' } })).resolves.toBeTruthy();
    await expect(service().execute({ orgId: 'T1', incidentId: r.incidentId, actor: lead, command: { type: 'ChangeStatus', status: 'MITIGATED' } })).rejects.toMatchObject({ code: 'invalid_transition' });
    const after = await snapshot(t);
    expect(after.timeline.length).toBe(before.timeline.length + 1);
    expect((await t.db.selectFrom('outbox').select('id').execute()).length).toBe(outboxBefore.length + 2); // post + summary sync
  });

  it('another workspace cannot read or change the incident', async () => {
    const r = await declare();
    await expect(service().execute({ orgId: 'T2', incidentId: r.incidentId, actor: lead, command: { type: 'AddNote', text: 'sneaky' } })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('an idempotency key makes a retry a no-op', async () => {
    const svc = service();
    const key = `slash:${randomUUID()}`;
    const first = await svc.execute({ orgId: 'T1', incidentId: randomUUID(), actor: lead, idempotencyKey: key, command: async () => ({ type: 'DeclareIncident', number: 999_000 + Math.floor(Math.random() * 999), title: 'dup', severity: 'SEV3', channelName: 'c' }) });
    const second = await service().execute({ orgId: 'T1', incidentId: randomUUID(), actor: lead, idempotencyKey: key, command: async () => ({ type: 'DeclareIncident', number: 1, title: 'dup', severity: 'SEV3', channelName: 'c' }) });
    expect(second.duplicate).toBe(true);
    expect(second.incidentId).toBe(first.incidentId);
  });

  it('rebuild reproduces identical read models', async () => {
    const svc = service();
    const r = await declare(svc, 'Rebuild me');
    const sig = { signalId: 's', fingerprint: 'fp1', service: 'checkout', environment: 'prod', title: 'errors', risk: 'BREACHED' as const, status: 'firing' as const, source: 'alertmanager' };
    for (const command of [
      { type: 'AssignRole', role: 'commander', userId: 'U7' },
      { type: 'AddAction', actionId: randomUUID(), text: 'roll back' },
      { type: 'AttachSignal', signal: sig },
      { type: 'AttachSignal', signal: { ...sig, status: 'resolved' } },
      { type: 'PostUpdate', text: 'working on it' },
      { type: 'ChangeStatus', status: 'MITIGATED', message: 'rolled back' },
    ] as const) {
      await svc.execute({ orgId: 'T1', incidentId: r.incidentId, actor: lead, command: command as never });
    }
    const live = await snapshot(t);
    const res = await rebuildProjections(t.db);
    expect(res.events).toBeGreaterThan(7);
    expect(await snapshot(t)).toEqual(live);
  });
});
