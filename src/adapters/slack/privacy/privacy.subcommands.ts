import type { WebClient } from '@slack/web-api';
import * as privacy from '../../../app/privacy.service';
import { DomainError } from '../../../shared/domain-error';
import { parseUserMention, splitFirst } from '../command.parser';
import { repeatable } from '../slack-idempotent';
import type { CommandContext, Subcommand } from '../subcommands/subcommand';
import { privateRefusal } from './privacy.blocks';

const who = (ctx: CommandContext) => ({ orgId: ctx.orgId, actor: ctx.actor, idempotencyKey: ctx.idempotencyKey });

/** Everyone in the channel now (people only): they stay members when the incident becomes private. */
async function channelPeople(client: WebClient, channel: string): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 20; page++) {
    const res = await repeatable(() => client.conversations.members({ channel, limit: 1000, cursor }));
    out.push(...(res.members ?? []));
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!cursor) break;
  }
  const bot = (await repeatable(() => client.auth.test())).user_id;
  return out.filter((u) => u !== bot && /^[UW][A-Z0-9]+$/.test(u));
}

/** `/incident private`, `public`, `request-access INC-n`, `join INC-n`, `invite @user` (README "Private incidents"). */
export const privacySubcommands: Subcommand[] = [
  {
    name: 'private',
    usage: '`private` — make this incident private (one way)',
    needsIncident: true,
    async run(ctx, deps) {
      const members = await channelPeople(ctx.client, ctx.channelId);
      const s = await privacy.makePrivate(deps, { ...who(ctx), incidentId: ctx.incident!.id, members });
      return {
        text:
          `:lock: INC-${s.number} is now private. A private channel opens for its ${members.length} current members; ` +
          'this channel will be renamed and archived, and announcements already posted are made neutral.',
      };
    },
  },
  {
    name: 'public',
    usage: '`public` — (refused: a private incident stays private)',
    needsIncident: true,
    async run(ctx, deps) {
      await privacy.makePublic(deps, { ...who(ctx), incidentId: ctx.incident!.id });
      return { text: 'Nothing changed.' };
    },
  },
  {
    name: 'request-access',
    aliases: ['request'],
    usage: '`request-access INC-<n>` — ask to join a private incident',
    async run(ctx, deps) {
      const ref = splitFirst(ctx.args)[0];
      const r = await privacy.requestAccess(deps, { ...who(ctx), ref });
      const to = r.hasCommander ? 'its commander' : 'the workspace admins';
      return { text: `:hourglass: Asked ${to} to let you into INC-${r.number}. You will get a DM with the answer.` };
    },
  },
  {
    name: 'join',
    usage: '`join INC-<n>` — admins: join a private incident (recorded on it)',
    async run(ctx, deps) {
      const ref = splitFirst(ctx.args)[0];
      if (ctx.actor.role !== 'admin') {
        const r = privateRefusal(privacy.parseIncidentRef(ref));
        return { text: `${r.text} Only an admin can join without an invitation.`, blocks: r.blocks };
      }
      const s = await privacy.joinAsAdmin(deps, { ...who(ctx), ref });
      return { text: `:shield: Joining INC-${s.number} as an admin; the join is on its timeline. Inviting you now.` };
    },
  },
  {
    name: 'invite',
    usage: '`invite @user` — add someone to this private incident',
    needsIncident: true,
    async run(ctx, deps) {
      const mention = splitFirst(ctx.args)[0];
      if (!mention) throw new DomainError('invalid_input', 'Usage: `/incident invite @user`');
      const userId = parseUserMention(mention);
      await privacy.inviteMember(deps, { ...who(ctx), incidentId: ctx.incident!.id, userId });
      return { text: `<@${userId}> is now a member of INC-${ctx.incident!.number}; inviting them to this channel.` };
    },
  },
];
