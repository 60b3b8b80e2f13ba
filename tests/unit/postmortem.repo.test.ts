import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDb } from '../../src/adapters/db/create-db';
import { type TestDb, createTestDb, dialects } from '../helpers/test-db';
import {
  getLatestPostmortem,
  getPostmortem,
  getPostmortemPr,
  insertPostmortemDraft,
  listPostmortemVersions,
  savePostmortemPr,
} from '../../src/adapters/db/postmortem.repo';
import type { DB } from '../../src/adapters/db/schema';
import * as postmortems from '../../migrations/20261121_0300_postmortems';

const draft = (markdown: string, at: string) => ({
  orgId: 'T1',
  incidentId: 'inc1',
  markdown,
  generator: 'deterministic' as const,
  createdBy: 'U1',
  createdAt: at,
});

describe.each(dialects())('postmortem repo (%s)', (dialect) => {
  let t: TestDb;
  let db: DB;
  beforeEach(async () => {
    t = await createTestDb(dialect);
    db = t.db;
  });
  afterEach(async () => {
    await t.destroy();
  });

  it('numbers drafts per incident and returns the latest', async () => {
    expect((await insertPostmortemDraft(db, draft('v1', '2026-11-21T10:00:00.000Z'))).version).toBe(1);
    const v2 = await insertPostmortemDraft(db, { ...draft('v2', '2026-11-21T11:00:00.000Z'), generator: 'llm', model: 'fake', tokens: 321 });
    expect(v2.version).toBe(2);
    await insertPostmortemDraft(db, { ...draft('other', '2026-11-21T11:00:00.000Z'), incidentId: 'inc2' });

    expect(await getLatestPostmortem(db, 'T1', 'inc1')).toMatchObject({ version: 2, markdown: 'v2', generator: 'llm', model: 'fake', tokens: 321 });
    expect((await getPostmortem(db, 'T1', 'inc1', 1))?.markdown).toBe('v1');
    expect(await getLatestPostmortem(db, 'T2', 'inc1')).toBeUndefined(); // another workspace sees nothing
    const versions = await listPostmortemVersions(db, 'T1', 'inc1');
    expect(versions.map((v) => v.version)).toEqual([2, 1]);
    expect(versions[0]).not.toHaveProperty('markdown');
  });

  it('concurrent drafts get distinct versions', async () => {
    const results = await Promise.all([1, 2, 3].map((i) => insertPostmortemDraft(db, draft(`d${i}`, '2026-11-21T10:00:00.000Z'))));
    expect(results.map((r) => r.version).sort()).toEqual([1, 2, 3]);
  });

  it('upserts the PR record', async () => {
    const pr = { orgId: 'T1', incidentId: 'inc1', number: 5, url: 'https://gh/pr/5', branch: 'postmortem/incident-42', path: 'postmortems/x.md', contentSha: 'aaa', updatedAt: '2026-11-21T10:00:00.000Z' };
    await savePostmortemPr(db, pr);
    await savePostmortemPr(db, { ...pr, contentSha: 'bbb', updatedAt: '2026-11-21T11:00:00.000Z' });
    expect(await getPostmortemPr(db, 'T1', 'inc1')).toEqual({ ...pr, contentSha: 'bbb', updatedAt: '2026-11-21T11:00:00.000Z' });
    expect(await getPostmortemPr(db, 'T1', 'nope')).toBeUndefined();
  });
});

describe('postmortem migration', () => {
  it('goes up and down on its own (SQLite)', async () => {
    const db: DB = createDb({ dialect: 'sqlite', location: ':memory:' });
    await postmortems.up(db);
    await postmortems.down(db);
    const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name like 'postmortem%'`.execute(db);
    expect(tables.rows).toEqual([]);
    await db.destroy();
  });
});
