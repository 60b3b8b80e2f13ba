import type { AppDeps } from '../../../app/deps';
import {
  correctEntryTime,
  setThreadCapture,
  threadCaptureEnabled,
  timelineView,
} from '../../../app/timeline-sync.service';
import { DomainError } from '../../../shared/domain-error';
import { splitFirst } from '../command.parser';
import type { CommandContext, Reply, Subcommand } from '../subcommands/subcommand';
import { syncedTimelineBlocks } from './timeline-sync.blocks';

const TIMELINE_EDIT_USAGE =
  'Usage: `/incident timeline edit <#entry> <HH:MM|ISO time>`, e.g. `timeline edit 12 09:55` (UTC).';

/** `/incident timeline` (numbered, corrected times, edit marks) and `/incident timeline edit <#> <time>`. */
export async function runTimeline(ctx: CommandContext, deps: AppDeps): Promise<Reply> {
  const [word, rest] = splitFirst(ctx.args);
  const input = { orgId: ctx.orgId, actor: ctx.actor, incidentId: ctx.incident!.id };
  if (word.toLowerCase() === 'edit') {
    const [seqWord, time] = splitFirst(rest);
    const seq = Number(seqWord.replace(/^#/, ''));
    if (!seqWord || !time || !Number.isInteger(seq)) throw new DomainError('invalid_input', TIMELINE_EDIT_USAGE);
    const res = await correctEntryTime(deps, { ...input, seq, time, idempotencyKey: ctx.idempotencyKey });
    const done = `Entry #${seq} now reads ${res.to} (was ${res.from}).`;
    return { text: res.duplicate ? `${done} (already recorded)` : done };
  }
  if (word) throw new DomainError('invalid_input', `I don't know \`timeline ${word}\`. ${TIMELINE_EDIT_USAGE}`);
  const view = await timelineView(deps, input);
  return syncedTimelineBlocks(view.incident, view.items);
}

const SETTINGS_USAGE = 'Usage: `/incident settings thread-capture on|off` (admins).';

/** `/incident settings [thread-capture on|off]`: workspace switches of the timeline. */
async function settings(ctx: CommandContext, deps: AppDeps): Promise<Reply> {
  const [key, value] = splitFirst(ctx.args);
  if (!key) {
    const on = await threadCaptureEnabled(deps, ctx.orgId);
    return {
      text: `Thread capture is *${on ? 'on' : 'off'}*: replies in an incident's pinned summary thread ${on ? 'join' : 'do not join'} its timeline.\n${SETTINGS_USAGE}`,
    };
  }
  if (key !== 'thread-capture')
    throw new DomainError('invalid_input', `I don't know the setting \`${key}\`. ${SETTINGS_USAGE}`);
  const v = value.toLowerCase();
  if (v !== 'on' && v !== 'off')
    throw new DomainError('invalid_input', `\`thread-capture\` is \`on\` or \`off\`. ${SETTINGS_USAGE}`);
  await setThreadCapture(deps, { orgId: ctx.orgId, actor: ctx.actor, enabled: v === 'on' });
  return {
    text:
      v === 'on'
        ? 'Thread capture is on: replies in the pinned summary thread join the timeline.'
        : 'Thread capture is off: replies in the pinned summary thread stay out of the timeline (📌 and the shortcut still work).',
  };
}

export const timelineSyncSubcommands: Subcommand[] = [
  {
    name: 'settings',
    usage: '`settings [thread-capture on|off]` — timeline settings (admins change them)',
    run: settings,
  },
];
