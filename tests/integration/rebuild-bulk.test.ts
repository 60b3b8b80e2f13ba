import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incidentEvents } from '../../bench/event-log.generator';
import { appendEvents } from '../../src/adapters/db/event-store';
import { projectEvents } from '../../src/adapters/db/incident.projection';
import { rebuildProjections } from '../../src/adapters/db/rebuild';
import type { DB } from '../../src/adapters/db/schema';
import { fold } from '../../src/incidents/incident.decider';
import { initialState } from '../../src/incidents/incident.types';
import { createTestDb, dialects, type TestDb } from '../helpers/test-db';

const INCIDENTS = 30;
/** 30 × 70 events: several rebuild pages (1,000 events), with incidents cut across page boundaries. */
const EVENTS_PER_INCIDENT = 70;

async function readModels(db: DB) {
  return {
    incidents: await db.selectFrom('incidents').selectAll().orderBy('id').execute(),
    timeline: await db.selectFrom('incident_timeline').selectAll().orderBy('incident_id').orderBy('seq').execute(),
    actions: await db.selectFrom('incident_actions').selectAll().orderBy('action_id').execute(),
    signals: await db
      .selectFrom('incident_signals')
      .selectAll()
      .orderBy('incident_id')
      .orderBy('fingerprint')
      .execute(),
    members: await db.selectFrom('incident_members').selectAll().orderBy('incident_id').orderBy('user_id').execute(),
    slo: await db.selectFrom('slo_violations').selectAll().orderBy('incident_id').orderBy('fingerprint').execute(),
  };
}

/** SQLite's indexes of the rebuilt tables (the rebuild drops and recreates them around its bulk load). */
const sqliteIndexes = async (db: DB) =>
  (
    await sql<{
      name: string;
      sql: string;
    }>`select name, sql from sqlite_master where type = 'index' order by name`.execute(db)
  ).rows;

describe.each(dialects())('projections rebuild in bulk on %s', (dialect) => {
  let t: TestDb;
  let live: Awaited<ReturnType<typeof readModels>>;
  beforeAll(async () => {
    t = await createTestDb(dialect);
    // Every incident written as the product writes it: appended and projected live in one transaction.
    for (let n = 0; n < INCIDENTS; n++) {
      const orgId = `T${n % 3}`;
      const events = incidentEvents(n, orgId, n + 1, EVENTS_PER_INCIDENT);
      const state = fold(initialState(events[0].incidentId, orgId), events);
      await t.db.transaction().execute(async (trx) => {
        await appendEvents(trx, events);
        await projectEvents(trx, state, events);
      });
    }
    live = await readModels(t.db);
  });
  afterAll(async () => t?.destroy());

  it('rebuilds read models equal to the live projection, across pages', async () => {
    expect(live.timeline).toHaveLength(INCIDENTS * EVENTS_PER_INCIDENT);
    expect(live.signals.length).toBeGreaterThan(INCIDENTS);
    const indexes = dialect === 'sqlite' ? await sqliteIndexes(t.db) : [];
    const r = await rebuildProjections(t.db);
    expect(r).toMatchObject({ events: INCIDENTS * EVENTS_PER_INCIDENT, incidents: INCIDENTS });
    expect(await readModels(t.db)).toEqual(live);
    if (dialect === 'sqlite') {
      expect(await sqliteIndexes(t.db)).toEqual(indexes);
    }
  });

  it('a rebuild that fails leaves the read models (and their indexes) as they were', async () => {
    const indexes = dialect === 'sqlite' ? await sqliteIndexes(t.db) : [];
    // A payload no fold can read, last in (incident, seq) order: the failure comes after most rows are written.
    await t.db
      .insertInto('incident_events')
      .values({
        org_id: 'T0',
        incident_id: 'ffffffff-ffff-4fff-bfff-ffffffffffff',
        seq: 1,
        type: 'NOTE_ADDED',
        payload: '{not json',
        actor: 'U1',
        occurred_at: '2026-01-05T09:00:00.000Z',
      })
      .execute();
    try {
      await expect(rebuildProjections(t.db)).rejects.toThrow();
      expect(await readModels(t.db)).toEqual(live);
      if (dialect === 'sqlite') expect(await sqliteIndexes(t.db)).toEqual(indexes);
    } finally {
      await t.db.deleteFrom('incident_events').where('payload', '=', '{not json').execute();
    }
  });
});
