import * as incidents from '../../../app/incident-commands.service';
import type { IncidentOutcome } from '../../../app/incident-commands.service';
import { listIncidents } from '../../../app/incident-commands-read.service';
import type { AppDeps } from '../../../app/deps';
import { soleUserMention } from '../../../shared/text';
import {
  parseRole,
  parseSeverity,
  parseStatus,
  parseUserMention,
  requireSeverity,
  splitFirst,
} from '../command.parser';
import { searchResultBlocks } from '../guidance/search.blocks';
import { declareModal, listBlocks } from '../incident.blocks';
import type { CommandContext, Reply, Subcommand } from '../subcommands/subcommand';
import { slackPeople } from './slack-people';
import { runTimeline } from './timeline-sync.subcommands';

/** The incident of the channel, as the services take it (the dispatcher has checked there is one). */
const on = (ctx: CommandContext) => ({
  orgId: ctx.orgId,
  actor: ctx.actor,
  incidentId: ctx.incident!.id,
  idempotencyKey: ctx.idempotencyKey,
});
const num = (ctx: CommandContext) => `INC-${ctx.incident!.number}`;
/** The confirmation the caller sees (everyone sees the channel's post). */
const done = (res: IncidentOutcome, text: string): Reply => ({
  text: res.duplicate ? `${text} (already recorded)` : text,
});
/** A trailing mention names a follow-up's owner (the follow-up then shows on their App Home). */
const TRAILING_MENTION = /^([\s\S]*?\S)\s*(<@[UW][A-Z0-9]+(?:\|[^>]*)?>)$/;

async function declare(ctx: CommandContext, deps: AppDeps): Promise<Reply> {
  // `--private` first: a private incident (README "Private incidents").
  const [flag, rest] = splitFirst(ctx.args);
  const priv = flag.toLowerCase() === '--private';
  const args = priv ? rest : ctx.args;
  const [first, tail] = splitFirst(args);
  const severity = parseSeverity(first);
  const title = severity ? tail : args;
  if (!title.trim()) {
    incidents.checkCanDeclare(ctx);
    return { modal: declareModal({ channelId: ctx.channelId, severity, private: priv }) };
  }
  const res = await incidents.declareIncident(deps, {
    orgId: ctx.orgId,
    actor: ctx.actor,
    title,
    severity,
    idempotencyKey: ctx.idempotencyKey,
    ...(priv ? { visibility: 'private' as const } : {}),
  });
  const s = res.state;
  return {
    text: `:rotating_light: Declared *INC-${s.number}* (${s.severity}): ${s.title}. Opening #${s.channelName} and inviting you now.`,
  };
}

async function status(ctx: CommandContext, deps: AppDeps): Promise<Reply> {
  const [word, message] = splitFirst(ctx.args);
  const to = parseStatus(word);
  return done(
    await incidents.changeStatus(deps, { ...on(ctx), status: to, message }),
    `${num(ctx)} is now ${to.toLowerCase()}.`,
  );
}

async function severity(ctx: CommandContext, deps: AppDeps): Promise<Reply> {
  const sev = requireSeverity(splitFirst(ctx.args)[0]);
  return done(await incidents.changeSeverity(deps, { ...on(ctx), severity: sev }), `${num(ctx)} is now ${sev}.`);
}

async function assign(ctx: CommandContext, deps: AppDeps): Promise<Reply> {
  const [roleWord, who] = splitFirst(ctx.args);
  const role = parseRole(roleWord);
  const userId = parseUserMention(splitFirst(who)[0]);
  const res = await incidents.assignRole(deps, { ...on(ctx), role, userId, people: slackPeople(ctx.client) });
  return done(res, `<@${userId}> is now ${role} of ${num(ctx)}.`);
}

async function action(ctx: CommandContext, deps: AppDeps): Promise<Reply> {
  const m = TRAILING_MENTION.exec(ctx.args.trim());
  const owner = m ? soleUserMention(m[2]) : undefined;
  const res = await incidents.addFollowUp(deps, {
    ...on(ctx),
    text: m ? m[1] : ctx.args,
    owner,
    people: slackPeople(ctx.client),
  });
  return done(res, owner ? `Follow-up added, owned by <@${owner}>.` : 'Follow-up added.');
}

/** Numbered entries in time order, with edits and corrected times (timeline-sync.subcommands.ts). */
const timeline = runTimeline;

async function list(ctx: CommandContext, deps: AppDeps): Promise<Reply> {
  const [w, tail] = splitFirst(ctx.args);
  const which = w === 'all' ? 'all' : 'open';
  const query = w === 'all' || w === 'open' ? tail : ctx.args;
  const found = await listIncidents(deps, { orgId: ctx.orgId, actor: ctx.actor, which, query });
  const r =
    found.kind === 'search'
      ? searchResultBlocks(found.query, found.which, found.results)
      : listBlocks(found.incidents, found.which);
  return { text: r.text, blocks: r.blocks };
}

/** Permissions are the services' (incident.permissions); the dispatcher only finds the channel's incident. */
export const incidentSubcommands: Subcommand[] = [
  { name: 'declare', usage: '`declare [--private] [sev1-4] <title>`', run: declare },
  {
    name: 'status',
    usage: '`status <investigating|mitigated|resolved|cancelled> [message]`',
    needsIncident: true,
    run: status,
  },
  { name: 'severity', aliases: ['sev'], usage: '`severity <sev1-4>`', needsIncident: true, run: severity },
  { name: 'assign', usage: '`assign <commander|comms|scribe> @user`', needsIncident: true, run: assign },
  {
    name: 'note',
    usage: '`note <text>`',
    needsIncident: true,
    run: async (ctx, deps) =>
      done(await incidents.addNote(deps, { ...on(ctx), text: ctx.args }), 'Added to the timeline.'),
  },
  { name: 'action', usage: '`action <text> [@owner]`', needsIncident: true, run: action },
  {
    name: 'update',
    usage: '`update <text>`',
    needsIncident: true,
    run: async (ctx, deps) => done(await incidents.postUpdate(deps, { ...on(ctx), text: ctx.args }), 'Update posted.'),
  },
  { name: 'timeline', usage: '`timeline [edit <#> <HH:MM|ISO>]`', needsIncident: true, run: timeline },
  { name: 'list', usage: '`list [open|all] [search words]`', run: list },
];
