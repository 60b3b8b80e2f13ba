import type { AppDeps } from '../../../app/deps';
import {
  exportAllFollowUps,
  listFollowUps,
  mapTrackerLogin,
  followUpSettings,
  setFollowUpAutoExport,
  setFollowUpRepository,
} from '../../../app/followups.service';
import { DomainError } from '../../../shared/domain-error';
import { followUpDepsOf } from '../../github/followups.wiring';
import { parseUserMention, splitFirst } from '../command.parser';
import type { CommandContext, Reply, Subcommand } from '../subcommands/subcommand';
import { FOLLOWUPS_USAGE, followUpListBlocks, settingsText } from './followups.blocks';

/** `/incident followups …`: the incident's follow-ups and their issues, and the workspace's GitHub settings. */
async function runFollowUps(ctx: CommandContext, deps: AppDeps): Promise<Reply> {
  const d = followUpDepsOf(deps);
  const [verb, rest] = splitFirst(ctx.args);
  const who = { orgId: ctx.orgId, actor: ctx.actor };
  switch (verb.toLowerCase()) {
    case '': {
      if (!ctx.incident) {
        const s = await followUpSettings(d, ctx.orgId);
        return { text: `${settingsText(s)}\n\n${FOLLOWUPS_USAGE}` };
      }
      const r = await listFollowUps(d, { ...who, incidentId: ctx.incident.id });
      const m = followUpListBlocks(r.incident, r.actions, r.settings, !!deps.config.github.token);
      return { text: m.text, blocks: m.blocks };
    }
    case 'help':
      return { text: FOLLOWUPS_USAGE };
    case 'export': {
      if (!ctx.incident) throw new DomainError('not_in_incident_channel', 'Run `/incident followups export` in the incident channel.');
      const r = await exportAllFollowUps(d, { ...who, incidentId: ctx.incident.id, idempotencyKey: ctx.idempotencyKey });
      if (r.length === 0) return { text: 'Every follow-up of this incident is already in GitHub (or on its way).' };
      return { text: `:hourglass_flowing_sand: Exporting ${r.length} follow-up${r.length === 1 ? '' : 's'} to GitHub; the links are posted in the channel.` };
    }
    case 'repo': {
      const [word] = splitFirst(rest);
      if (!word) return { text: settingsText(await followUpSettings(d, ctx.orgId)) };
      const reset = word.toLowerCase() === 'reset';
      const s = await setFollowUpRepository(d, { ...who, repository: reset ? null : word });
      return { text: `:white_check_mark: Follow-ups now go to ${s.repository ?? 'no repository'}${s.source === 'default' ? ' (the default)' : ''}.` };
    }
    case 'auto': {
      const on = rest.trim().toLowerCase();
      if (on !== 'on' && on !== 'off') throw new DomainError('invalid_input', 'Use `/incident followups auto on` or `/incident followups auto off`.');
      const s = await setFollowUpAutoExport(d, { ...who, on: on === 'on' });
      const note = s.autoExport && !s.repository ? ' Pick a repository with `/incident followups repo owner/name` first.' : '';
      return { text: `:white_check_mark: Automatic export when an incident is resolved is ${on}.${note}` };
    }
    case 'map': {
      const [mention, tail] = splitFirst(rest);
      const userId = parseUserMention(mention);
      const login = splitFirst(tail)[0];
      if (!login) throw new DomainError('invalid_input', 'Give the GitHub login: `/incident followups map @user github-login` (or `remove`).');
      const remove = login.toLowerCase() === 'remove';
      await mapTrackerLogin(d, { ...who, userId, login: remove ? null : login });
      return { text: remove ? `:white_check_mark: <@${userId}> has no GitHub login now.` : `:white_check_mark: <@${userId}> is ${login} on GitHub.` };
    }
    default:
      throw new DomainError('invalid_input', `I don't know \`followups ${verb}\`.\n${FOLLOWUPS_USAGE}`);
  }
}

/** Setting the repository asks GitHub whether it exists: answered through response_url. */
export const followUpSubcommands: Subcommand[] = [
  { name: 'followups', aliases: ['follow-ups'], usage: '`followups [export | repo owner/name | auto on|off | map @user login]`', slow: true, run: runFollowUps },
];
