import { parseArgs } from 'node:util';
import { apiCliCommands } from './adapters/http/api/api.cli';
import { sloCliCommands } from './adapters/slos/slo.cli';
import { BackupError, backupSqlite, restoreSqlite } from './adapters/db/backup';
import { createDb } from './adapters/db/create-db';
import { migrateToLatest } from './adapters/db/migrate';
import { rebuildProjections } from './adapters/db/rebuild';
import type { DB } from './adapters/db/schema';
import { reindexAllIncidents } from './adapters/db/search.repo';
import { grantAccess, operatorActor } from './app/access.service';
import { addConnector, listConnectors } from './app/connector.service';
import { type Config, ConfigError, loadConfig, loadDotEnv } from './config';
import { isRole, ROLES } from './shared/roles';
import { CONNECTOR_KINDS, isConnectorKind } from './signals/normalisers';
import { CHANGE_CONNECTOR_KINDS, isChangeConnectorKind } from './changes/change.types';
import { HEARTBEAT_KIND } from './slos/heartbeat.policy';

/** An operator command: gets the parsed flags, a migrated database and the config; prints its own output. */
export type CliCommand = (args: { flags: Record<string, string | boolean | undefined>; db: DB; config: Config }) => Promise<void>;

export class UsageError extends Error {}

const need = (flags: Record<string, unknown>, name: string): string => {
  const v = flags[name];
  if (typeof v !== 'string' || !v) throw new UsageError(`--${name} is required`);
  return v;
};

/** Feature areas add `"<word> <word>": handler` entries (one line each). */
export const commands: Record<string, CliCommand> = {
  migrate: async () => {
    console.log(JSON.stringify({ migrated: true }));
  },
  'projections rebuild': async ({ db }) => {
    const r = await rebuildProjections(db);
    // The search index is built from the read models just rebuilt.
    const indexed = await reindexAllIncidents(db);
    console.log(JSON.stringify({ rebuilt: true, events: r.events, incidents: r.incidents, indexed, seconds: +(r.ms / 1000).toFixed(3) }));
  },
  'access grant': async ({ flags, db, config }) => {
    const role = need(flags, 'role');
    if (!isRole(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
    const input = { orgId: need(flags, 'org'), actor: operatorActor, userId: need(flags, 'user'), role };
    await grantAccess({ db, config, now: () => new Date() }, input);
    console.log(JSON.stringify({ org: flags.org, user: flags.user, role }));
  },
  'connector add': async ({ flags, db, config }) => {
    const kind = need(flags, 'kind');
    if (!isConnectorKind(kind) && !isChangeConnectorKind(kind) && kind !== HEARTBEAT_KIND) throw new UsageError(`--kind must be one of ${[...CONNECTOR_KINDS, ...CHANGE_CONNECTOR_KINDS, HEARTBEAT_KIND].join(', ')}`);
    const name = typeof flags.name === 'string' ? flags.name : undefined;
    // Heartbeats: --interval 5m --grace 2m (docs: README "Heartbeats").
    const beat = { interval: typeof flags.interval === 'string' ? flags.interval : undefined, grace: typeof flags.grace === 'string' ? flags.grace : undefined };
    const c = await addConnector({ db, config, now: () => new Date() }, { orgId: need(flags, 'org'), actor: operatorActor, kind, name, ...beat });
    console.log(JSON.stringify({ id: c.id, url: c.url, token: c.token }));
  },
  digest: async ({ flags, db, config }) => {
    const org = need(flags, 'org');
    // Loaded on use: the Slack delivery graph would slow every other command's start.
    const { postDigestFromCli } = await import('./adapters/cron/digest-now');
    const r = await postDigestFromCli(db, config, org);
    const o = r.outcome ?? { type: 'queued' as const };
    const detail = o.type === 'done' ? o.result : o.type === 'queued' ? {} : { error: o.error };
    console.log(JSON.stringify({ org, channel: r.channel, outbox_id: r.outboxId, outcome: o.type, ...detail }));
    if (o.type === 'retry') throw new Error(`Slack did not take it (${o.error}); the running bot will retry outbox row ${r.outboxId}`);
    if (o.type === 'failed') throw new Error(o.error);
  },
  'connector list': async ({ flags, db, config }) => {
    for (const c of await listConnectors({ db, config }, { orgId: need(flags, 'org'), actor: operatorActor })) {
      console.log(JSON.stringify({ id: c.id, kind: c.kind, category: c.category, name: c.name, url: c.url, created_by: c.createdBy, created_at: c.createdAt, revoked_at: c.revokedAt ?? null }));
    }
  },
  ...apiCliCommands,
  ...sloCliCommands,
  // Loaded on use, like digest: a dry run of correlation for a payload on stdin (reads only).
  correlate: async (args) => (await import('./adapters/catalog/correlate.cli')).correlateCommand(args),
};

/** Commands that open the database files themselves: run before (instead of) the usual open-and-migrate. */
const fileCommands: Record<string, (flags: Record<string, string | boolean | undefined>, config: Config) => Promise<unknown>> = {
  backup: (flags, config) => backupSqlite(config.database, need(flags, 'to')),
  restore: (flags, config) => restoreSqlite(config.database, need(flags, 'from')),
};

async function runFileCommand(key: string, flags: Record<string, string | boolean | undefined>, config: Config) {
  try {
    console.log(JSON.stringify(await fileCommands[key](flags, config)));
    return 0;
  } catch (e) {
    if (e instanceof UsageError) return (console.error(`${e.message}\n${USAGE}`), 2);
    const message = e instanceof Error ? e.message : String(e);
    // A refusal (not empty, newer backup, Postgres) is the whole message; anything else says what failed.
    console.error(e instanceof BackupError ? message : `revenant ${key} failed: ${message}`);
    return 1;
  }
}

export const USAGE = `usage: revenant <command> [flags]
  migrate                                   apply migrations and exit
  projections rebuild                       rebuild every read model from the event log
  access grant --org T --user U --role R    set a role (admin|sre_lead|responder|viewer)
  connector add --org T --kind K [--name N] create an alert connector (prints id, url, token)
  connector list --org T                    list connectors
  connector add --org T --kind heartbeat --name N [--interval 5m] [--grace 2m]   a heartbeat (dead man's switch)
  health --org T [--service S]              the health grid: one JSON line per catalog service
  digest --org T                            post the watchlist digest now
  correlate --org T --kind K < payload.json dry run: per alert attach/declare/ignore and why (writes nothing)
  backup --to FILE                          online copy of the SQLite database (Postgres: prints the pg_dump way)
  restore --from FILE                       restore a backup into an empty SQLite database and migrate it forward
  token create --org T --role R --name N [--expires 90d]   create an API token (prints it once)
  token list --org T                        list API tokens with their last-used time
  token revoke --org T --name N|--id ID     revoke an API token
  webhook add --org T --url U [--events incident.*]   subscribe a URL (prints its signing secret once)
  webhook list --org T | webhook remove --org T --id W | webhook log --org T --id W (last 100 attempts)`;

export async function runCli(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    options: { org: { type: 'string' }, user: { type: 'string' }, role: { type: 'string' }, kind: { type: 'string' }, name: { type: 'string' }, expires: { type: 'string' }, id: { type: 'string' }, url: { type: 'string' }, to: { type: 'string' }, from: { type: 'string' }, events: { type: 'string' }, interval: { type: 'string' }, grace: { type: 'string' }, service: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const key = [positionals.slice(0, 2).join(' '), positionals[0] ?? ''].find((k) => k in commands || k in fileCommands);
  if (values.help || !key) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  loadDotEnv();
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      return 1;
    }
    throw e;
  }
  if (key in fileCommands) return runFileCommand(key, values, config);
  const db = createDb(config.database, { poolMax: 2 });
  try {
    await migrateToLatest(db);
    await commands[key]({ flags: values, db, config });
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`${e.message}\n${USAGE}`);
      return 2;
    }
    console.error(`revenant ${key} failed: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  } finally {
    await db.destroy();
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/cli.ts')) {
  runCli(process.argv.slice(2)).then((code) => process.exit(code));
}
