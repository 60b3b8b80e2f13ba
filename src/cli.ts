import { parseArgs } from 'node:util';
import { postDigestNow } from './adapters/cron/digest-now';
import { createConnector, listConnectors, webhookUrl } from './adapters/db/connector.repo';
import { createDb } from './adapters/db/create-db';
import { grantRole } from './adapters/db/incident.queries';
import { migrateToLatest } from './adapters/db/migrate';
import { rebuildProjections } from './adapters/db/rebuild';
import type { DB } from './adapters/db/schema';
import { reindexAllIncidents } from './adapters/db/search.repo';
import { type Config, ConfigError, loadConfig, loadDotEnv } from './config';
import { isRole, ROLES } from './shared/roles';
import { CONNECTOR_KINDS, isConnectorKind } from './signals/normalisers';

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
  'access grant': async ({ flags, db }) => {
    const role = need(flags, 'role');
    if (!isRole(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
    await grantRole(db, { orgId: need(flags, 'org'), userId: need(flags, 'user'), role, grantedBy: 'cli', now: new Date() });
    console.log(JSON.stringify({ org: flags.org, user: flags.user, role }));
  },
  'connector add': async ({ flags, db, config }) => {
    const kind = need(flags, 'kind');
    if (!isConnectorKind(kind)) throw new UsageError(`--kind must be one of ${CONNECTOR_KINDS.join(', ')}`);
    const name = typeof flags.name === 'string' ? flags.name : undefined;
    const c = await createConnector(db, { orgId: need(flags, 'org'), kind, name, createdBy: 'cli', now: new Date() });
    console.log(JSON.stringify({ id: c.id, url: webhookUrl(config.publicUrl, c.id), token: c.token }));
  },
  digest: async ({ flags, db, config }) => {
    const org = need(flags, 'org');
    const r = await postDigestNow(db, config, org);
    const o = r.outcome;
    console.log(JSON.stringify({ org, channel: r.channel, outbox_id: r.outboxId, outcome: o.type, ...(o.type === 'done' ? o.result : { error: o.error }) }));
    if (o.type !== 'done') throw new Error(o.type === 'retry' ? `Slack did not take it (${o.error}); the running bot will retry outbox row ${r.outboxId}` : o.error);
  },
  'connector list': async ({ flags, db, config }) => {
    for (const c of await listConnectors(db, need(flags, 'org'))) {
      console.log(JSON.stringify({ id: c.id, kind: c.kind, name: c.name, url: webhookUrl(config.publicUrl, c.id), created_by: c.createdBy, created_at: c.createdAt, revoked_at: c.revokedAt ?? null }));
    }
  },
};

export const USAGE = `usage: revenant <command> [flags]
  migrate                                   apply migrations and exit
  projections rebuild                       rebuild every read model from the event log
  access grant --org T --user U --role R    set a role (admin|sre_lead|responder|viewer)
  connector add --org T --kind K [--name N] create an alert connector (prints id, url, token)
  connector list --org T                    list connectors
  digest --org T                            post the watchlist digest now`;

export async function runCli(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    options: { org: { type: 'string' }, user: { type: 'string' }, role: { type: 'string' }, kind: { type: 'string' }, name: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const key = [positionals.slice(0, 2).join(' '), positionals[0] ?? ''].find((k) => k in commands);
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
