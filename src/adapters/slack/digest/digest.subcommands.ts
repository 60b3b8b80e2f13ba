import type { AppDeps } from '../../../app/deps';
import { createDigestService, type DigestService, type SettingsPatch } from '../../../app/digest.service';
import { listWatchlist } from '../../../app/watchlist.service';
import { DomainError } from '../../../shared/domain-error';
import { cronProblem } from '../../../watchlist/digest.schedule';
import { isValidTimeZone } from '../../../watchlist/time.format';
import type { CommandContext, Reply, Subcommand } from '../subcommands/subcommand';
import { channelLink, DIGEST_USAGE, digestSettingsText, watchlistMessage } from './digest-settings.blocks';

/** The digest service as a listener needs it: posts are queued and the worker woken. */
export const digestServiceOf = (deps: AppDeps): DigestService =>
  createDigestService({ db: deps.db, defaults: deps.config.digest, now: deps.now, outbox: { kick: deps.kickOutbox } });

/** `<#C123|name>` or a bare id; a plain `#name` cannot be resolved without a lookup, so it is refused. */
function channelArg(word: string): string | undefined {
  const m = /^<#([CG][A-Z0-9]+)(\|[^>]*)?>$/.exec(word) ?? /^([CG][A-Z0-9]{6,})$/.exec(word);
  return m?.[1];
}

function parseSchedule(words: string[]): Pick<SettingsPatch, 'cron' | 'timezone'> {
  if (words.length === 0) return {};
  if (words.length === 1 && isValidTimeZone(words[0])) return { timezone: words[0] };
  if (words.length !== 5 && words.length !== 6)
    throw new DomainError(
      'invalid_input',
      `Give the schedule as five cron fields, optionally followed by a time zone.\n${DIGEST_USAGE}`,
    );
  const cron = words.slice(0, 5).join(' ');
  // Checked here too so a malformed schedule is named before the role is (the service checks again).
  const problem = cronProblem(cron);
  if (problem) throw new DomainError('invalid_input', problem);
  const tz = words[5];
  if (tz !== undefined && !isValidTimeZone(tz))
    throw new DomainError('invalid_input', `“${tz}” is not a time zone; use an IANA name such as Europe/Berlin.`);
  return { cron, ...(tz ? { timezone: tz } : {}) };
}

/** The settings change a command asks for; undefined for the read-only verbs. */
function patchOf(words: string[]): SettingsPatch | 'now' | 'help' | undefined {
  const verb = (words[0] ?? '').toLowerCase();
  if (!verb) return undefined;
  if (verb === 'help' || verb === 'now') return verb;
  if (verb === 'on' || verb === 'off') return { enabled: verb === 'on' };
  if (verb === 'reset') return { channel: null, cron: null, timezone: null, silentWhenEmpty: false, enabled: true };
  if (verb === 'silent') {
    const v = (words[1] ?? '').toLowerCase();
    if (v !== 'on' && v !== 'off')
      throw new DomainError('invalid_input', 'Use `/incident digest silent on` or `/incident digest silent off`.');
    return { silentWhenEmpty: v === 'on' };
  }
  if (verb === 'tz' || verb === 'timezone') {
    const tz = words[1] ?? '';
    if (!isValidTimeZone(tz))
      throw new DomainError('invalid_input', `“${tz}” is not a time zone; use an IANA name such as Europe/Berlin.`);
    return { timezone: tz };
  }
  const channel = channelArg(words[0]);
  if (!channel)
    throw new DomainError(
      'invalid_input',
      `“${words[0]}” is not a channel. Pick it with # so Slack turns it into a link.\n${DIGEST_USAGE}`,
    );
  return { channel, ...parseSchedule(words.slice(1)) };
}

async function runDigest(ctx: CommandContext, deps: AppDeps): Promise<Reply> {
  const digests = digestServiceOf(deps);
  const asked = patchOf(ctx.args.split(/\s+/).filter(Boolean));
  if (asked === 'help') return { text: DIGEST_USAGE };
  if (asked === undefined) return { text: digestSettingsText(await digests.settings(ctx.orgId), deps.now()) };
  if (asked === 'now') {
    // The slash command's trigger is the request key, so Slack's retry of it posts nothing more.
    const r = await digests.postNow({
      orgId: ctx.orgId,
      actor: ctx.actor,
      requestKey: ctx.idempotencyKey,
      delivery: 'queue',
    });
    return { text: `:outbox_tray: Posting the digest to ${channelLink(r.channel)} now.` };
  }
  const s = await digests.configure({ orgId: ctx.orgId, actor: ctx.actor, patch: asked });
  return { text: `:white_check_mark: Saved.\n${digestSettingsText(s, deps.now())}` };
}

export const digestSubcommands: Subcommand[] = [
  { name: 'digest', usage: '`digest [#channel [cron] [tz]]` (admins change it)', run: runDigest },
];

/** `/incident watchlist`: the digest's blocks (with their buttons), shown to the caller. */
export async function watchlistReply(ctx: Pick<CommandContext, 'orgId' | 'actor'>, deps: AppDeps): Promise<Reply> {
  const view = await listWatchlist(
    { db: deps.db, defaults: deps.config.digest, now: deps.now },
    { orgId: ctx.orgId, actor: ctx.actor },
  );
  const msg = watchlistMessage(ctx.orgId, view, deps.now());
  return { text: msg.text, blocks: msg.blocks };
}
