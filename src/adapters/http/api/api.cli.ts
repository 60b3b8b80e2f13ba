import { createApiToken, listTokens, revokeToken } from '../../../app/api-tokens.service';
import { addWebhook, listWebhooks, removeWebhook, webhookLog } from '../../../app/webhook.service';
import type { CliCommand } from '../../../cli';

const flag = (flags: Record<string, unknown>, name: string): string => {
  const v = flags[name];
  if (typeof v !== 'string' || !v) throw new Error(`--${name} is required`);
  return v;
};
const optionalFlag = (flags: Record<string, unknown>, name: string) =>
  typeof flags[name] === 'string' ? (flags[name] as string) : undefined;

/** `revenant token create|list|revoke`: one JSON line per token; the secret only on create. */
export const apiCliCommands: Record<string, CliCommand> = {
  'token create': async ({ flags, db }) => {
    const r = await createApiToken(db, {
      orgId: flag(flags, 'org'),
      role: flag(flags, 'role'),
      name: flag(flags, 'name'),
      expires: optionalFlag(flags, 'expires'),
      createdBy: 'cli',
      now: new Date(),
    });
    console.log(
      JSON.stringify({
        id: r.token.id,
        org: r.token.orgId,
        name: r.token.name,
        role: r.token.role,
        expires_at: r.token.expiresAt,
        token: r.secret,
      }),
    );
  },
  'token list': async ({ flags, db }) => {
    for (const t of await listTokens(db, flag(flags, 'org'))) {
      console.log(
        JSON.stringify({
          id: t.id,
          name: t.name,
          role: t.role,
          created_by: t.createdBy,
          created_at: t.createdAt,
          expires_at: t.expiresAt,
          revoked_at: t.revokedAt,
          last_used_at: t.lastUsedAt,
        }),
      );
    }
  },
  'token revoke': async ({ flags, db }) => {
    const t = await revokeToken(db, flag(flags, 'org'), optionalFlag(flags, 'id') ?? flag(flags, 'name'), new Date());
    console.log(JSON.stringify({ id: t.id, name: t.name, revoked_at: t.revokedAt }));
  },
  'webhook add': async ({ flags, db }) => {
    const r = await addWebhook(db, {
      orgId: flag(flags, 'org'),
      url: flag(flags, 'url'),
      events: optionalFlag(flags, 'events') ?? 'incident.*',
      includePrivate: flags['include-private'] === true || flags['include-private'] === 'true',
      createdBy: 'cli',
      now: new Date(),
    });
    console.log(
      JSON.stringify({
        id: r.subscription.id,
        url: r.subscription.url,
        events: r.subscription.events,
        secret: r.secret,
      }),
    );
  },
  'webhook list': async ({ flags, db }) => {
    for (const w of await listWebhooks(db, flag(flags, 'org'))) {
      console.log(
        JSON.stringify({
          id: w.id,
          url: w.url,
          events: w.events,
          created_at: w.createdAt,
          removed_at: w.removedAt,
          removed_reason: w.removedReason,
        }),
      );
    }
  },
  'webhook remove': async ({ flags, db }) => {
    await removeWebhook(db, flag(flags, 'org'), flag(flags, 'id'), new Date());
    console.log(JSON.stringify({ id: flags.id, removed: true }));
  },
  'webhook log': async ({ flags, db }) => {
    for (const a of await webhookLog(db, flag(flags, 'org'), flag(flags, 'id'))) console.log(JSON.stringify(a));
  },
};
