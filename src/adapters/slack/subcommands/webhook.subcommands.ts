import {
  addWebhook,
  checkCanManageWebhooks,
  listWebhooks,
  removeWebhook,
  webhookLog,
} from '../../../app/webhook.service';
import { DomainError } from '../../../shared/domain-error';
import { splitFirst } from '../command.parser';
import type { Subcommand } from './subcommand';

const USAGE =
  'Usage: `/incident webhook add <url> [incident.*,incident.status_changed] [--include-private]`, `/incident webhook list`, ' +
  '`/incident webhook remove <id>` or `/incident webhook log <id>`';
const LOG_LINES = 10;

/** `/incident webhook …`: the CLI's `revenant webhook …` for admins in Slack, on the same webhook service. */
export const webhookSubcommands: Subcommand[] = [
  {
    name: 'webhook',
    aliases: ['webhooks'],
    usage: '`webhook add <url> [events]` · `webhook list` · `webhook remove <id>` · `webhook log <id>`',
    async run(ctx, deps) {
      checkCanManageWebhooks(ctx.actor);
      const [verb, tail] = splitFirst(ctx.args);
      const [arg, rest] = splitFirst(tail);
      switch (verb) {
        case 'list': {
          const all = (await listWebhooks(deps.db, ctx.orgId)).filter((w) => !w.removedAt);
          if (all.length === 0) return { text: `No webhook subscriptions yet. ${USAGE}` };
          return { text: `Webhooks:\n${all.map((w) => `• \`${w.id}\` ${w.url} — ${w.events.join(', ')}`).join('\n')}` };
        }
        case 'remove':
          if (!arg) throw new DomainError('invalid_input', USAGE);
          await removeWebhook(deps.db, ctx.orgId, arg, deps.now());
          return { text: `Webhook \`${arg}\` removed: it gets no more deliveries.` };
        case 'log': {
          if (!arg) throw new DomainError('invalid_input', USAGE);
          const attempts = (await webhookLog(deps.db, ctx.orgId, arg)).slice(0, LOG_LINES);
          if (attempts.length === 0) return { text: `No deliveries to \`${arg}\` yet.` };
          const line = (a: (typeof attempts)[number]) =>
            `• ${a.ok ? ':white_check_mark:' : ':x:'} ${a.eventType} → ${a.responseStatus ?? a.error ?? '?'} in ` +
            `${a.durationMs} ms (\`${a.deliveryId}\`)`;
          return { text: `Last ${attempts.length} deliveries to \`${arg}\`:\n${attempts.map(line).join('\n')}` };
        }
        case 'add': {
          // Slack wraps pasted URLs as <https://…> or <https://…|label>.
          const url = (arg ?? '').replace(/^<([^|>]+)(\|[^>]*)?>$/, '$1');
          if (!url) throw new DomainError('invalid_input', USAGE);
          // `--include-private`: this admin opens the subscription to private incidents' events too.
          const words = rest.split(/\s+/).filter(Boolean);
          const includePrivate = words.includes('--include-private');
          const events = words.filter((w) => w !== '--include-private')[0];
          const r = await addWebhook(deps.db, {
            orgId: ctx.orgId,
            url,
            includePrivate,
            events: events || 'incident.*',
            createdBy: ctx.userId,
            now: deps.now(),
          });
          // Ephemeral (the default reply): the signing secret is shown to this admin, once.
          return {
            text: [
              `:satellite_antenna: Webhook \`${r.subscription.id}\` → ${r.subscription.url} ` +
                `(${r.subscription.events.join(', ')}${r.subscription.includePrivate ? ', private incidents included' : ''}). ` +
                'Only you can see this, and it is shown once:',
              `Signing secret: \`${r.secret}\``,
              'Verify `Revenant-Signature: t=<unix>,v1=<hex>` as HMAC-SHA256 of `<t>.<body>` (README, "Webhooks").',
            ].join('\n'),
          };
        }
        default:
          throw new DomainError('invalid_input', USAGE);
      }
    },
  },
];
