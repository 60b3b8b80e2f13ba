import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { createDb, type DbTarget } from './create-db';
import { knownMigrationNames, migrateToLatest } from './migrate';

/**
 * `revenant backup` / `revenant restore` for SQLite: SQLite's online backup API (better-sqlite3's
 * `db.backup()`) takes a consistent copy while the bot keeps writing; restore goes into an empty database
 * only and migrates an older backup forward. Postgres has its own tools (pg_dump / pg_restore): see
 * POSTGRES_BACKUP_HELP.
 */

/** A refusal the operator can act on (printed without a stack trace). */
export class BackupError extends Error {}

export const POSTGRES_BACKUP_HELP = `DATABASE_URL is PostgreSQL: revenant backup/restore copy SQLite files.
Use PostgreSQL's tools:
  backup:  pg_dump --format=custom --file=revenant.dump "$DATABASE_URL"
  restore: pg_restore --no-owner --dbname="$DATABASE_URL" revenant.dump   (into an empty database)
  then:    revenant migrate   (refuses a dump made by a newer version; migrates an older one forward)`;

export interface BackupResult {
  backup: string;
  bytes: number;
  events: number;
  migrations: number;
  seconds: number;
}

export interface RestoreResult {
  restored: string;
  from: string;
  events: number;
  /** Migrations the backup had; `migrated` lists those applied now because the backup was older. */
  migrationsInBackup: number;
  migrated: string[];
}

const MIGRATION_TABLE = 'kysely_migration';

/** Migration names this build knows (file names without extension, as the migrator records them). */
export function knownMigrations(): string[] {
  return knownMigrationNames();
}

function sqliteFile(target: DbTarget): string {
  if (target.dialect === 'postgres') throw new BackupError(POSTGRES_BACKUP_HELP);
  if (target.location === ':memory:')
    throw new BackupError('DATABASE_URL is an in-memory SQLite database: nothing to back up or restore into');
  return resolve(target.location);
}

const userTables = (db: SQLite.Database): string[] =>
  db
    .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")
    .pluck()
    .all() as string[];

function describeFile(file: string): { events: number; migrations: string[] } {
  const db = new SQLite(file, { fileMustExist: true });
  try {
    const ok = db.pragma('quick_check', { simple: true });
    if (ok !== 'ok') throw new BackupError(`${file} failed SQLite's integrity check: ${String(ok)}`);
    const tables = userTables(db);
    if (!tables.includes(MIGRATION_TABLE))
      throw new BackupError(`${file} is not a Runbook Revenant database (no ${MIGRATION_TABLE} table)`);
    const migrations = db.prepare(`select name from ${MIGRATION_TABLE} order by name`).pluck().all() as string[];
    const events = tables.includes('incident_events')
      ? Number(db.prepare('select count(*) from incident_events').pluck().get())
      : 0;
    return { events, migrations };
  } finally {
    db.close();
  }
}

/** Copy the live SQLite database to `to` (a new file) while the bot may be writing to it. */
export async function backupSqlite(target: DbTarget, to: string): Promise<BackupResult> {
  const source = sqliteFile(target);
  const out = resolve(to);
  if (!existsSync(source)) throw new BackupError(`there is no database at ${source}`);
  if (existsSync(out))
    throw new BackupError(`${out} already exists; choose a new file (a backup never overwrites one)`);
  if (!existsSync(dirname(out))) throw new BackupError(`the folder ${dirname(out)} does not exist`);
  const t0 = performance.now();
  const db = new SQLite(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    // All remaining pages in one step: one read snapshot (WAL lets writers go on meanwhile), so a busy
    // writer cannot keep restarting a page-by-page copy.
    await db.backup(out, { progress: () => 0x7fffffff });
  } catch (e) {
    rmSync(out, { force: true });
    throw e;
  } finally {
    db.close();
  }
  // A backup is one self-contained file: no -wal/-shm beside it.
  const copy = new SQLite(out);
  copy.pragma('journal_mode = DELETE');
  copy.close();
  const { events, migrations } = describeFile(out);
  return {
    backup: out,
    bytes: statSync(out).size,
    events,
    migrations: migrations.length,
    seconds: +((performance.now() - t0) / 1000).toFixed(3),
  };
}

/** Restore a backup into an empty (or missing) SQLite database, then migrate it forward. Stop the bot first. */
export async function restoreSqlite(target: DbTarget, from: string): Promise<RestoreResult> {
  const dest = sqliteFile(target);
  const src = resolve(from);
  if (!existsSync(src)) throw new BackupError(`there is no backup at ${src}`);
  const backup = describeFile(src);
  const known = new Set(knownMigrations());
  const unknown = backup.migrations.filter((m) => !known.has(m));
  if (unknown.length > 0) {
    throw new BackupError(
      `the backup was made by a newer version (migration ${unknown.join(', ')} unknown here): ` +
        'upgrade Runbook Revenant first',
    );
  }
  if (existsSync(dest)) {
    const existing = new SQLite(dest, { fileMustExist: true });
    const tables = userTables(existing);
    existing.close();
    if (tables.length > 0) {
      throw new BackupError(
        `${dest} is not empty (${tables.length} tables): restore only into an empty database or a new file`,
      );
    }
  }
  if (!existsSync(dirname(dest))) throw new BackupError(`the folder ${dirname(dest)} does not exist`);
  // Copy next to the destination, then rename: a failed restore leaves no half-written database behind.
  const tmp = `${dest}.restoring-${process.pid}`;
  rmSync(tmp, { force: true });
  const reader = new SQLite(src, { readonly: true, fileMustExist: true });
  try {
    await reader.backup(tmp, { progress: () => 0x7fffffff });
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  } finally {
    reader.close();
  }
  for (const f of [dest, `${dest}-wal`, `${dest}-shm`]) rmSync(f, { force: true });
  renameSync(tmp, dest);

  const db = createDb({ dialect: 'sqlite', location: dest });
  try {
    const result = await migrateToLatest(db);
    const migrated = (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    return { restored: dest, from: src, events: backup.events, migrationsInBackup: backup.migrations.length, migrated };
  } finally {
    await db.destroy();
  }
}
