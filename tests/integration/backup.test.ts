import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupError, backupSqlite, knownMigrations, restoreSqlite } from '../../src/adapters/db/backup';
import { createDb } from '../../src/adapters/db/create-db';
import { migrator } from '../../src/adapters/db/migrate';
import { rebuildProjections } from '../../src/adapters/db/rebuild';
import type { DB } from '../../src/adapters/db/schema';
import { bearer, connector, genericSignal, overSocket } from '../helpers/alerts';
import { type Harness, startHarness, TEAM } from '../helpers/harness';

/**
 * `revenant backup` / `revenant restore` through the real CLI (another process, as an operator runs it):
 * a backup taken in the middle of an alert storm and a burst of slash commands restores into a new file
 * with the event log intact (a prefix of the live log, nothing acknowledged before the backup missing)
 * and read models equal to what `projections rebuild` makes of the restored log.
 */
const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');

async function cli(args: string[], env: Record<string, string>) {
  try {
    const r = await run(process.execPath, [path.join(ROOT, 'bin/revenant.js'), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const readModels = async (db: DB) => ({
  incidents: await db.selectFrom('incidents').selectAll().orderBy('id').execute(),
  timeline: await db.selectFrom('incident_timeline').selectAll().orderBy('incident_id').orderBy('seq').execute(),
  actions: await db.selectFrom('incident_actions').selectAll().orderBy('action_id').execute(),
  signals: await db.selectFrom('incident_signals').selectAll().orderBy('incident_id').orderBy('fingerprint').execute(),
});
const eventLog = (db: DB) => db.selectFrom('incident_events').selectAll().orderBy('position').execute();

describe('backup and restore (sqlite)', () => {
  let h: Harness;
  const dir = mkdtempSync(path.join(tmpdir(), 'revenant-backup-'));
  beforeAll(async () => {
    h = await startHarness('sqlite');
  });
  afterAll(async () => h?.close());

  it('a backup taken mid-storm restores with the log and read models intact', { timeout: 120_000 }, async () => {
    const gen = await connector(h.tdb.db, TEAM, 'generic');
    const post = overSocket(h.app.url);
    const declared = await h.command('declare sev2 Backup drill');
    expect(declared.status).toBe(200);
    const channel = () =>
      h.tdb.db.selectFrom('incidents').select('channel_id').where('number', '=', 1).executeTakeFirst();
    await h.settle();
    const incidentChannel = (await channel())?.channel_id ?? 'CGENERAL';

    // 4 senders; every 10th request a slash command, the rest alerts for 12 services (breached: auto-declare).
    const ackedFingerprints: string[] = [];
    const ackedNotes: string[] = [];
    let next = 0;
    let backupDone = false;
    let doneAfterBackup = 0;
    const failures: string[] = [];
    const sender = async () => {
      while (!backupDone || next < 200) {
        const i = next++;
        if (i % 10 === 0) {
          const r = await h.command(`note storm note ${i}`, { channel: incidentChannel });
          if (r.status === 200) ackedNotes.push(`storm note ${i}`);
          else failures.push(`note ${i}: ${r.status}`);
        } else {
          const fingerprint = `bk-${i}`;
          const body = genericSignal({
            serviceName: `bk-svc-${i % 12}`,
            severity: 'critical',
            fingerprint,
            title: `bk alert ${i}`,
          });
          const r = await post(gen.id, JSON.stringify(body), bearer(gen.token));
          if (r.status === 202) ackedFingerprints.push(fingerprint);
          else failures.push(`alert ${i}: ${r.status}`);
        }
        if (backupDone) doneAfterBackup++;
      }
    };
    const senders = Array.from({ length: 4 }, () => sender());
    while (next < 60) await new Promise((r) => setTimeout(r, 10));

    const backupFile = path.join(dir, 'mid-storm.db');
    const ackedBefore = { fingerprints: [...ackedFingerprints], notes: [...ackedNotes] };
    const startedAt = next;
    const backup = await cli(['backup', '--to', backupFile], { DATABASE_URL: h.tdb.url });
    const finishedAt = next;
    backupDone = true;
    await Promise.all(senders);
    expect(failures).toEqual([]);
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    const report = JSON.parse(backup.stdout);
    expect(report).toMatchObject({ backup: backupFile, migrations: knownMigrations().length });
    expect(finishedAt - startedAt).toBeGreaterThan(0); // requests kept being answered while it ran
    expect(existsSync(`${backupFile}-wal`)).toBe(false); // one self-contained file

    const restoredFile = path.join(dir, 'restored.db');
    const restore = await cli(['restore', '--from', backupFile], { DATABASE_URL: restoredFile });
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    expect(JSON.parse(restore.stdout)).toMatchObject({ restored: restoredFile, events: report.events, migrated: [] });

    await h.settle();
    const restored = createDb({ dialect: 'sqlite', location: restoredFile });
    try {
      // The log: a consistent cut of the live log, i.e. exactly its first N events.
      const live = await eventLog(h.tdb.db);
      const got = await eventLog(restored);
      expect(got.length).toBe(report.events);
      expect(got.length).toBeGreaterThan(0);
      expect(got.length).toBeLessThan(live.length); // the storm went on after the backup
      expect(got).toEqual(live.slice(0, got.length));

      // Nothing acknowledged before the backup started is missing from it.
      const receipts = (await restored.selectFrom('signal_receipts').select('dedup_key').execute()).map(
        (r) => r.dedup_key,
      );
      const missing = ackedBefore.fingerprints.filter((fp) => !receipts.some((k) => k.includes(`|${fp}|`)));
      expect(missing).toEqual([]);
      const notes = (
        await restored.selectFrom('incident_timeline').select('text').where('type', '=', 'NOTE_ADDED').execute()
      ).map((n) => n.text);
      expect(ackedBefore.notes.filter((n) => !notes.some((t) => t.endsWith(n)))).toEqual([]);

      // Read models as restored = rebuilt from the restored log.
      const asRestored = await readModels(restored);
      expect(asRestored.incidents.length).toBeGreaterThan(1);
      await rebuildProjections(restored);
      expect(await readModels(restored)).toEqual(asRestored);
      console.log(
        JSON.stringify({
          reliability: 'backup-mid-storm',
          requestsDuringBackup: finishedAt - startedAt,
          requestsAfterBackup: doneAfterBackup,
          eventsInBackup: got.length,
          eventsLive: live.length,
          ackedBeforeBackup: ackedBefore.fingerprints.length + ackedBefore.notes.length,
          missing: missing.length,
          incidents: asRestored.incidents.length,
          backupSeconds: report.seconds,
          bytes: report.bytes,
        }),
      );
    } finally {
      await restored.destroy();
    }

    // Restoring over a database that holds data is refused; a backup never overwrites a file.
    // (Called in-process from here on: each CLI start costs seconds on a loaded machine.)
    const sqlite = (location: string) => ({ dialect: 'sqlite' as const, location });
    await expect(restoreSqlite(sqlite(restoredFile), backupFile)).rejects.toThrow(
      /is not empty \(\d+ tables\): restore only into an empty/,
    );
    await expect(backupSqlite(sqlite(h.tdb.url), backupFile)).rejects.toThrow(BackupError);
  });

  it('an older backup is migrated forward on restore; a newer one is refused', async () => {
    const names = knownMigrations();
    const oldFile = path.join(dir, 'old.db');
    const old = createDb({ dialect: 'sqlite', location: oldFile });
    const r = await (await migrator(old)).migrateTo(names[2]);
    expect(r.error).toBeUndefined();
    await old.destroy();

    const oldBackup = path.join(dir, 'old-backup.db');
    expect(await backupSqlite({ dialect: 'sqlite', location: oldFile }, oldBackup)).toMatchObject({ migrations: 3 });
    const restored = await restoreSqlite({ dialect: 'sqlite', location: path.join(dir, 'old-restored.db') }, oldBackup);
    expect(restored).toMatchObject({ migrationsInBackup: 3, migrated: names.slice(3) });

    const future = path.join(dir, 'future.db');
    copyFileSync(oldBackup, future);
    const f = new SQLite(future);
    f.prepare('insert into kysely_migration (name, timestamp) values (?, ?)').run(
      '29990101_0001_from_the_future',
      new Date().toISOString(),
    );
    f.close();
    await expect(
      restoreSqlite({ dialect: 'sqlite', location: path.join(dir, 'future-restored.db') }, future),
    ).rejects.toThrow(/made by a newer version \(migration 29990101_0001_from_the_future unknown here\)/);
    expect(existsSync(path.join(dir, 'future-restored.db'))).toBe(false);
  });

  it('on Postgres both commands point to pg_dump / pg_restore and touch nothing', { timeout: 60_000 }, async () => {
    const pgTarget = { dialect: 'postgres' as const, location: 'postgres://postgres@127.0.0.1:1/nowhere' };
    await expect(restoreSqlite(pgTarget, path.join(dir, 'pg.dump'))).rejects.toThrow(/pg_restore --no-owner/);
    // Through the CLI: exit 1, the guidance on stderr, no connection attempted (port 1 would refuse it).
    const r = await cli(['backup', '--to', path.join(dir, 'pg.dump')], { DATABASE_URL: pgTarget.location });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/pg_dump --format=custom/);
    expect(r.stderr).toMatch(/pg_restore --no-owner/);
    expect(r.stderr).toMatch(/then: +revenant migrate/);
    expect(existsSync(path.join(dir, 'pg.dump'))).toBe(false);
  });
});
