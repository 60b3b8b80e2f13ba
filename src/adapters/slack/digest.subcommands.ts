import { DomainError } from '../../shared/domain-error';
import { isAdmin } from '../../incidents/incident.permissions';
import type { AppDeps } from '../../app/deps';
import { cronProblem, nextRuns } from '../../watchlist/digest.schedule';
import { absoluteTime, isValidTimeZone } from '../../watchlist/time.format';
import { claimSlot, digestSettingsOf, type DigestSettings, saveDigestSettings, type SettingsPatch } from '../db/digest.repo';
import { enqueueEffects } from '../db/outbox.repo';
import { digestEffect } from '../cron/digest.job';
import { buildDigest } from './digest.delivery';
import type { CommandContext, Reply, Subcommand } from './subcommands/subcommand';

const USAGE = [
  '`/incident digest` — show the schedule',
  '`/incident digest #channel [cron] [time zone]` — post the digest there (e.g. `digest #sre 0 9 * * 1-5 Europe/Berlin`)',
  '`/incident digest tz <time zone>` · `digest silent on|off` (quiet when nothing is at risk) · `digest on|off` · `digest reset` · `digest now`',
].join('\n');

const channelLink = (c: string | undefined) => (!c ? '_no channel_ (set one with `/incident digest #channel`)' : /^[CG][A-Z0-9]+$/.test(c) ? `<#${c}>` : `#${c.replace(/^#/, '')}`);

function describe(s: DigestSettings, now: Date): string {
  const next = nextRuns(s.cron, s.timezone, now)[0];
  const from = (custom: boolean) => (custom ? '' : ' (default)');
  return [
    `*Watchlist digest* ${s.enabled ? 'is on' : 'is *off*'}.`,
    `• Channel: ${channelLink(s.channel)}${from(s.custom.channel)}`,
    `• Schedule: \`${s.cron}\` in ${s.timezone}${from(s.custom.cron || s.custom.timezone)}${next && s.enabled && s.channel ? ` — next ${absoluteTime(next.toISOString(), s.timezone, now)}` : ''}`,
    `• Nothing at risk: ${s.silentWhenEmpty ? 'stays silent' : 'posts a short all-clear'}`,
  ].join('\n');
}

/** `<#C123|name>` or a bare id; a plain `#name` cannot be resolved without a lookup, so it is refused. */
function channelArg(word: string): string | undefined {
  const m = /^<#([CG][A-Z0-9]+)(\|[^>]*)?>$/.exec(word) ?? /^([CG][A-Z0-9]{6,})$/.exec(word);
  return m?.[1];
}

function parseSchedule(words: string[]): Pick<SettingsPatch, 'cron' | 'timezone'> {
  if (words.length === 0) return {};
  if (words.length === 1 && isValidTimeZone(words[0])) return { timezone: words[0] };
  if (words.length !== 5 && words.length !== 6) throw new DomainError('invalid_input', `Give the schedule as five cron fields, optionally followed by a time zone.\n${USAGE}`);
  const cron = words.slice(0, 5).join(' ');
  const problem = cronProblem(cron);
  if (problem) throw new DomainError('invalid_input', problem);
  const tz = words[5];
  if (tz !== undefined && !isValidTimeZone(tz)) throw new DomainError('invalid_input', `“${tz}” is not a time zone; use an IANA name such as Europe/Berlin.`);
  return { cron, ...(tz ? { timezone: tz } : {}) };
}

async function save(ctx: CommandContext, deps: AppDeps, patch: SettingsPatch): Promise<Reply> {
  if (!isAdmin(ctx.role)) throw new DomainError('forbidden', `Only an admin can change the digest; you are a ${ctx.role.replace('_', ' ')}.`);
  await saveDigestSettings(deps.db, { orgId: ctx.orgId, patch, by: ctx.userId, now: deps.now() });
  return { text: `:white_check_mark: Saved.\n${describe(await digestSettingsOf(deps.db, ctx.orgId, deps.config.digest), deps.now())}` };
}

/** Post the digest now through the outbox; the slash command's trigger makes a Slack retry a no-op. */
async function postNow(ctx: CommandContext, deps: AppDeps): Promise<Reply> {
  if (!isAdmin(ctx.role)) throw new DomainError('forbidden', `Only an admin can post the digest on demand; \`/incident watchlist\` shows it to you.`);
  const s = await digestSettingsOf(deps.db, ctx.orgId, deps.config.digest);
  if (!s.channel) throw new DomainError('invalid_input', `There is no digest channel yet.\n${USAGE}`);
  const now = deps.now();
  const slot = `manual:${ctx.idempotencyKey}`;
  await deps.db.transaction().execute(async (trx) => {
    if (await claimSlot(trx, { orgId: ctx.orgId, kind: 'digest', slot, by: ctx.userId, at: now })) {
      await enqueueEffects(trx, ctx.orgId, null, [digestEffect({ ...s, silentWhenEmpty: false }, slot, 'manual')], now);
    }
  });
  deps.kickOutbox();
  return { text: `:outbox_tray: Posting the digest to ${channelLink(s.channel)} now.` };
}

export const digestSubcommands: Subcommand[] = [
  {
    name: 'digest',
    usage: '`digest [#channel [cron] [tz]]` (admins change it)',
    minRole: 'viewer',
    async run(ctx, deps) {
      const words = ctx.args.split(/\s+/).filter(Boolean);
      const verb = (words[0] ?? '').toLowerCase();
      if (!verb) return { text: describe(await digestSettingsOf(deps.db, ctx.orgId, deps.config.digest), deps.now()) };
      if (verb === 'help') return { text: USAGE };
      if (verb === 'now') return postNow(ctx, deps);
      if (verb === 'on' || verb === 'off') return save(ctx, deps, { enabled: verb === 'on' });
      if (verb === 'reset') return save(ctx, deps, { channel: null, cron: null, timezone: null, silentWhenEmpty: false, enabled: true });
      if (verb === 'silent') {
        const v = (words[1] ?? '').toLowerCase();
        if (v !== 'on' && v !== 'off') throw new DomainError('invalid_input', 'Use `/incident digest silent on` or `/incident digest silent off`.');
        return save(ctx, deps, { silentWhenEmpty: v === 'on' });
      }
      if (verb === 'tz' || verb === 'timezone') {
        const tz = words[1] ?? '';
        if (!isValidTimeZone(tz)) throw new DomainError('invalid_input', `“${tz}” is not a time zone; use an IANA name such as Europe/Berlin.`);
        return save(ctx, deps, { timezone: tz });
      }
      const channel = channelArg(words[0]);
      if (!channel) throw new DomainError('invalid_input', `“${words[0]}” is not a channel. Pick it with # so Slack turns it into a link.\n${USAGE}`);
      return save(ctx, deps, { channel, ...parseSchedule(words.slice(1)) });
    },
  },
];

/** `/incident watchlist`: the digest's blocks (with their buttons), shown to the caller. */
export async function watchlistReply(orgId: string, deps: AppDeps): Promise<Reply> {
  const s = await digestSettingsOf(deps.db, orgId, deps.config.digest);
  const msg = await buildDigest(deps.db, orgId, { timeZone: s.timezone, now: deps.now(), heading: 'Watchlist' });
  return { text: msg.text, blocks: msg.blocks };
}
