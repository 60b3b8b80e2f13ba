import path from 'node:path';
import { type MigrationProvider, type MigrationResultSet, Migrator, sql } from 'kysely';
import { MIGRATIONS } from '../../../migrations/index';
import { projectRoot } from '../project-root';
import { dialectOf } from './create-db';
import type { DB } from './schema';

/** The source folder of the migrations (for tooling and tests; the migrator itself reads MIGRATIONS). */
export const MIGRATIONS_DIR = path.join(projectRoot(), 'migrations');

/**
 * The timestamped files of migrations/, from their static index: imported, not read from the folder at run
 * time, so the bundle in dist/ carries them and tsx/vitest load the same TypeScript.
 */
const staticProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve({ ...MIGRATIONS }),
};

/** Migration names this build knows, in the order they apply (as the migrator records them). */
export function knownMigrationNames(): string[] {
  return Object.keys(MIGRATIONS).sort();
}

export async function migrator(db: DB): Promise<Migrator> {
  // On Postgres, keep Kysely's bookkeeping in the schema we work in (search_path), not whatever `public` holds.
  const schema = dialectOf(db) === 'postgres' ? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s : undefined;
  return new Migrator({ db, provider: staticProvider, ...(schema ? { migrationTableSchema: schema } : {}) });
}

/** Apply every pending migration; throws with the failing migration's name. */
export async function migrateToLatest(db: DB): Promise<MigrationResultSet> {
  const result = await (await migrator(db)).migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    const cause = result.error instanceof Error ? result.error.message : String(result.error);
    throw new Error(`migration ${failed} failed: ${cause}`);
  }
  return result;
}
