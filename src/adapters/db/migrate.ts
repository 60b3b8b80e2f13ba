import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Migration, type MigrationProvider, type MigrationResultSet, Migrator, sql } from 'kysely';
import { dialectOf } from './create-db';
import type { DB } from './schema';

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../migrations');

/** Timestamped files in migrations/; imported from here so tsx and vitest both load the TypeScript. */
const fileProvider: MigrationProvider = {
  async getMigrations() {
    const out: Record<string, Migration> = {};
    for (const f of (await fs.readdir(MIGRATIONS_DIR)).sort()) {
      if (!/\.(ts|js|mjs)$/.test(f) || f.endsWith('.d.ts')) continue;
      out[f.replace(/\.(ts|js|mjs)$/, '')] = (await import(pathToFileURL(path.join(MIGRATIONS_DIR, f)).href)) as Migration;
    }
    return out;
  },
};

export async function migrator(db: DB): Promise<Migrator> {
  // On Postgres, keep Kysely's bookkeeping in the schema we work in (search_path), not whatever `public` holds.
  const schema = dialectOf(db) === 'postgres' ? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s : undefined;
  return new Migrator({ db, provider: fileProvider, ...(schema ? { migrationTableSchema: schema } : {}) });
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
