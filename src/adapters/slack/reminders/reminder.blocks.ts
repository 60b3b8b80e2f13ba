import { truncate, untrustedMrkdwn as u } from '../../../shared/text';
import { intervalLabel } from '../../../watchlist/reminder.policy';
import { duration } from '../../../watchlist/time.format';
import { IDS } from '../ids';
import { slackDate } from '../summary.blocks';

const isUser = (id: string | null | undefined): id is string => !!id && /^[UW][A-Z0-9]+$/.test(id);

/** The status-update nudge in the incident channel, addressed to the commander. */
export function reminderMessage(r: {
  incidentId: string;
  number: number;
  title: string;
  severity: string;
  commanderId: string | null;
  createdBy: string;
  lastUpdateAt: string | null;
  createdAt: string;
  interval: number;
  now: Date;
}) {
  const since = r.lastUpdateAt ?? r.createdAt;
  const who = isUser(r.commanderId)
    ? `<@${r.commanderId}>`
    : isUser(r.createdBy)
      ? `<@${r.createdBy}> (no commander assigned yet)`
      : 'No commander assigned yet:';
  const last = r.lastUpdateAt
    ? `the last status update was ${slackDate(r.lastUpdateAt)}`
    : 'no status update has been posted yet';
  const text = `${who} INC-${r.number} (${r.severity}) has gone ${duration(r.now.getTime() - Date.parse(since))} without a status update.`;
  return {
    text,
    blocks: [
      {
        type: 'section',
        block_id: 'reminder_text',
        text: {
          type: 'mrkdwn',
          text: truncate(
            `:alarm_clock: ${who} *INC-${r.number}* (${r.severity}) — ${u(r.title)}\nIt has gone *${duration(r.now.getTime() - Date.parse(since))}* without a status update (${r.severity} expects one every ${intervalLabel(r.interval)}); ${last}.`,
            2900,
          ),
        },
      },
      {
        type: 'actions',
        block_id: 'reminder_actions',
        elements: [
          {
            type: 'button',
            action_id: IDS.reminderPostUpdate,
            text: { type: 'plain_text', text: 'Post update' },
            style: 'primary',
            value: r.incidentId,
          },
          {
            type: 'button',
            action_id: IDS.reminderSnooze,
            text: { type: 'plain_text', text: 'Snooze 1 h' },
            value: r.incidentId,
          },
        ],
      },
    ],
  };
}

/** What replaces the reminder once someone snoozed it (the buttons go away). */
export const snoozedText = (number: number, userId: string, untilIso: string) =>
  `:zzz: Status-update reminder for INC-${number} snoozed by <@${userId}> until ${slackDate(untilIso, '{time}')}.`;

/** The Post update form; the channel says which incident, re-checked on submission. */
export function updateModal(o: { channelId: string; number: number }) {
  return {
    type: 'modal' as const,
    callback_id: IDS.updateModal,
    private_metadata: JSON.stringify({ channelId: o.channelId }),
    title: { type: 'plain_text' as const, text: `Update INC-${o.number}`.slice(0, 24) },
    submit: { type: 'plain_text' as const, text: 'Post update' },
    close: { type: 'plain_text' as const, text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: IDS.inputUpdate,
        label: { type: 'plain_text', text: 'Status update' },
        hint: { type: 'plain_text', text: 'Posted in the channel and to the announcement channel.' },
        element: { type: 'plain_text_input', action_id: IDS.inputUpdate, multiline: true, max_length: 3000 },
      },
    ],
  };
}
