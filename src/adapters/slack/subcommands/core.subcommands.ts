import { randomUUID } from 'node:crypto';
import type { Actor, IncidentCommand } from '../../../incidents/incident.types';
import { declareCommand, type DeclareRequest } from '../../../app/declare.command';
import { DomainError } from '../../../shared/domain-error';
import { isRole } from '../../../shared/roles';
import type { AppDeps } from '../../../app/deps';
import { grantRole, listIncidents, timelineOf } from '../../db/incident.queries';
import { parseRole, parseSeverity, parseStatus, parseUserMention, requireSeverity, splitFirst } from '../command.parser';
import { declareModal, HELP_TEXT, listBlocks, timelineBlocks } from '../incident.blocks';
import { searchIncidentsReply } from './incident-search';
import type { CommandContext, Reply, Subcommand } from './subcommand';

export const actorOf = (ctx: Pick<CommandContext, 'userId' | 'role'>): Actor => ({ kind: 'user', id: ctx.userId, role: ctx.role });

/** Declare, used by the slash command, the modal and the digest's Declare button. */
export async function declareIncident(deps: AppDeps, req: DeclareRequest & { actor: Actor; idempotencyKey?: string }) {
  return deps.incidents.execute({
    orgId: req.orgId,
    incidentId: randomUUID(),
    actor: req.actor,
    idempotencyKey: req.idempotencyKey,
    command: declareCommand(deps.config.channelPrefix, req),
  });
}

/** Run a command on the incident of the channel; the confirmation is seen by everyone in the channel's post. */
async function onIncident(ctx: CommandContext, deps: AppDeps, command: IncidentCommand, done: string): Promise<Reply> {
  const res = await deps.incidents.execute({ orgId: ctx.orgId, incidentId: ctx.incident!.id, actor: actorOf(ctx), idempotencyKey: ctx.idempotencyKey, command });
  deps.kickOutbox();
  return { text: res.duplicate ? `${done} (already recorded)` : done };
}

const rest = (ctx: CommandContext) => ctx.args;

async function requireUser(ctx: CommandContext, userId: string) {
  try {
    const res = await ctx.client.users.info({ user: userId });
    if (res.user?.deleted) throw new DomainError('invalid_input', `<@${userId}> has been deactivated.`);
  } catch (e) {
    if (e instanceof DomainError) throw e;
    if ((e as { data?: { error?: string } }).data?.error === 'user_not_found') throw new DomainError('invalid_input', `I can't find the user <@${userId}> in this workspace.`);
    throw e;
  }
}

export const coreSubcommands: Subcommand[] = [
  { name: 'help', usage: '`help`', minRole: 'viewer', run: async () => ({ text: HELP_TEXT }) },
  {
    name: 'declare',
    usage: '`declare [sev1-4] <title>`',
    minRole: 'responder',
    async run(ctx, deps) {
      const [first, tail] = splitFirst(ctx.args);
      const sev = parseSeverity(first);
      const title = sev ? tail : ctx.args;
      if (!title.trim()) return { modal: declareModal({ channelId: ctx.channelId, severity: sev }) };
      const res = await declareIncident(deps, { orgId: ctx.orgId, actor: actorOf(ctx), title, severity: sev ?? 'SEV3', idempotencyKey: ctx.idempotencyKey });
      deps.kickOutbox();
      const s = res.state;
      return { text: `:rotating_light: Declared *INC-${s.number}* (${s.severity}): ${s.title}. Opening #${s.channelName} and inviting you now.` };
    },
  },
  {
    name: 'status',
    usage: '`status <investigating|mitigated|resolved|cancelled> [message]`',
    minRole: 'responder',
    needsIncident: true,
    async run(ctx, deps) {
      const [word, message] = splitFirst(rest(ctx));
      const status = parseStatus(word);
      return onIncident(ctx, deps, { type: 'ChangeStatus', status, message: message || undefined }, `INC-${ctx.incident!.number} is now ${status.toLowerCase()}.`);
    },
  },
  {
    name: 'severity',
    aliases: ['sev'],
    usage: '`severity <sev1-4>`',
    minRole: 'viewer', // the decider decides: SRE lead+ or the commander
    needsIncident: true,
    async run(ctx, deps) {
      const severity = requireSeverity(splitFirst(rest(ctx))[0]);
      return onIncident(ctx, deps, { type: 'ChangeSeverity', severity }, `INC-${ctx.incident!.number} is now ${severity}.`);
    },
  },
  {
    name: 'assign',
    usage: '`assign <commander|comms|scribe> @user`',
    minRole: 'responder',
    needsIncident: true,
    async run(ctx, deps) {
      const [roleWord, who] = splitFirst(rest(ctx));
      const role = parseRole(roleWord);
      const userId = parseUserMention(splitFirst(who)[0]);
      await requireUser(ctx, userId);
      return onIncident(ctx, deps, { type: 'AssignRole', role, userId }, `<@${userId}> is now ${role} of INC-${ctx.incident!.number}.`);
    },
  },
  {
    name: 'note',
    usage: '`note <text>`',
    minRole: 'responder',
    needsIncident: true,
    run: (ctx, deps) => onIncident(ctx, deps, { type: 'AddNote', text: rest(ctx) }, 'Added to the timeline.'),
  },
  {
    name: 'action',
    usage: '`action <text> [@owner]`',
    minRole: 'responder',
    needsIncident: true,
    async run(ctx, deps) {
      // A trailing mention names the owner (the follow-up then shows on their App Home).
      const m = /^([\s\S]*?\S)\s*<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(rest(ctx).trim());
      if (m) await requireUser(ctx, m[2]);
      const command: IncidentCommand = { type: 'AddAction', actionId: randomUUID(), text: m ? m[1] : rest(ctx), owner: m?.[2] };
      return onIncident(ctx, deps, command, m ? `Follow-up added, owned by <@${m[2]}>.` : 'Follow-up added.');
    },
  },
  {
    name: 'update',
    usage: '`update <text>`',
    minRole: 'responder',
    needsIncident: true,
    run: (ctx, deps) => onIncident(ctx, deps, { type: 'PostUpdate', text: rest(ctx) }, 'Update posted.'),
  },
  {
    name: 'timeline',
    usage: '`timeline`',
    minRole: 'viewer',
    needsIncident: true,
    async run(ctx, deps) {
      const rows = await timelineOf(deps.db, ctx.orgId, ctx.incident!.id);
      const t = timelineBlocks(ctx.incident!, rows);
      return { text: t.text, blocks: t.blocks };
    },
  },
  {
    name: 'list',
    usage: '`list [open|all] [search words]`',
    minRole: 'viewer',
    async run(ctx, deps) {
      const [w, tail] = splitFirst(rest(ctx));
      const which = w === 'all' ? 'all' : 'open';
      const query = w === 'all' || w === 'open' ? tail : rest(ctx);
      if (query) return searchIncidentsReply(ctx, deps, which, query);
      const rows = await listIncidents(deps.db, ctx.orgId, which);
      const l = listBlocks(rows, which);
      return { text: l.text, blocks: l.blocks };
    },
  },
  {
    name: 'access',
    usage: '`access grant @user <admin|sre_lead|responder|viewer>`',
    minRole: 'admin',
    async run(ctx, deps) {
      const [verb, tail] = splitFirst(rest(ctx));
      if (verb !== 'grant') throw new DomainError('invalid_input', 'Usage: `/incident access grant @user <admin|sre_lead|responder|viewer>`');
      const [mention, roleWord] = splitFirst(tail);
      const userId = parseUserMention(mention);
      const role = splitFirst(roleWord)[0].toLowerCase();
      if (!isRole(role)) throw new DomainError('invalid_input', `“${role}” is not a role. Use admin, sre_lead, responder or viewer.`);
      await grantRole(deps.db, { orgId: ctx.orgId, userId, role, grantedBy: ctx.userId, now: deps.now() });
      return { text: `<@${userId}> is now ${role.replace('_', ' ')}.` };
    },
  },
];
