import type { TimelineItem } from '../../../app/timeline-sync.service';
import { truncate } from '../../../shared/text';
import type { IncidentRow } from '../../db/schema';
import { timelineBlocks } from '../incident.blocks';

export const TIMELINE_IDS = {
  correctButton: 'timeline_correct_time',
  modal: 'timeline_time_modal',
  entry: 'timeline_entry',
  time: 'timeline_time',
} as const;

/** One line per entry: `#seq` (what `timeline edit` takes), the text, and what changed since. */
export function timelineLine(i: TimelineItem): string {
  const marks = [i.correctedAt ? 'time corrected' : undefined, i.editedAt ? 'edited in Slack' : undefined].filter(
    Boolean,
  );
  return `#${i.seq} ${i.text}${marks.length ? ` _(${marks.join(', ')})_` : ''}`;
}

/** `/incident timeline`: entries in time order with their numbers, and a button to correct a time. */
export function syncedTimelineBlocks(inc: IncidentRow, items: TimelineItem[]) {
  const base = timelineBlocks(
    inc,
    items.map((i) => ({ occurred_at: i.at, text: timelineLine(i) })),
  );
  const button = {
    type: 'actions',
    block_id: TIMELINE_IDS.correctButton,
    elements: [
      {
        type: 'button',
        action_id: TIMELINE_IDS.correctButton,
        text: { type: 'plain_text', text: 'Correct a time…' },
        value: inc.id,
      },
    ],
  };
  const hint = {
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: 'Correct when something happened: `/incident timeline edit <#> <HH:MM|ISO time>` (UTC).',
      },
    ],
  };
  return { text: base.text, blocks: [...base.blocks, hint, button] };
}

const utcClock = (iso: string) => new Date(iso).toISOString().slice(11, 16);

/** The form behind the button: which entry (the latest 100), and its new time. */
export function correctTimeModal(o: { incidentId: string; channelId: string; number: number; items: TimelineItem[] }) {
  const options = o.items.slice(-100).map((i) => ({
    text: { type: 'plain_text', text: truncate(`#${i.seq} ${utcClock(i.at)} ${i.text.replace(/<[^>]*>/g, '')}`, 75) },
    value: String(i.seq),
  }));
  return {
    type: 'modal' as const,
    callback_id: TIMELINE_IDS.modal,
    private_metadata: JSON.stringify({ incidentId: o.incidentId, channelId: o.channelId }),
    title: { type: 'plain_text' as const, text: `Timeline INC-${o.number}`.slice(0, 24) },
    submit: { type: 'plain_text' as const, text: 'Correct time' },
    close: { type: 'plain_text' as const, text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: TIMELINE_IDS.entry,
        label: { type: 'plain_text', text: 'Entry' },
        element: { type: 'static_select', action_id: TIMELINE_IDS.entry, options },
      },
      {
        type: 'input',
        block_id: TIMELINE_IDS.time,
        label: { type: 'plain_text', text: 'When it happened (UTC)' },
        hint: { type: 'plain_text', text: 'HH:MM on the entry’s day, or an ISO 8601 time such as 2026-12-02T09:55Z.' },
        element: { type: 'plain_text_input', action_id: TIMELINE_IDS.time, max_length: 40 },
      },
    ],
  };
}
