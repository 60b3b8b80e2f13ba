import { DomainError, assertNever } from '../shared/domain-error';
import { isBlank } from '../shared/text';
import { type Actor, type IncidentEvent, type IncidentState, MAX_TEXT } from './incident.types';
import { canCorrectTimelineTime, requirePermission } from './incident.permissions';

/**
 * The timeline keeping up with the channel (issue 19): a captured message edited or deleted in Slack,
 * and an entry's time corrected by its author or the commander. The original NOTE_ADDED stays in the
 * log untouched; these events say what changed, and readers (projection, postmortem) apply them.
 */

/** A file or image of a captured message, kept as a link (Slack's permalink), never copied. */
export interface NoteFile {
  name: string;
  permalink: string;
  mimetype?: string;
}

/** Where a captured message lives in Slack. */
export interface MessageKey {
  channelId: string;
  ts: string;
}

export type TimelineCommand =
  | ({ type: 'EditCapturedNote'; text: string; files?: NoteFile[] } & MessageKey)
  | ({ type: 'DeleteCapturedNote' } & MessageKey)
  | { type: 'CorrectTimelineTime'; seq: number; to: string; entry: TimelineEntryFacts };

/** What the service read from the log about the entry being corrected (the decider has no I/O). */
export interface TimelineEntryFacts {
  type: string;
  actor: string;
  /** The Slack author of a captured message (they may correct it too). */
  author?: string;
  occurredAt: string;
}

/** `entrySeq` names the entry changed (the envelope's `seq` is the change's own place in the log). */
export type TimelineEventData =
  | { type: 'NOTE_EDITED'; entrySeq: number; text: string; files?: NoteFile[]; source: MessageKey }
  | { type: 'NOTE_DELETED'; entrySeq: number; source: MessageKey }
  | { type: 'TIMELINE_TIME_CORRECTED'; entrySeq: number; from: string; to: string };

type TimelineEvent = Extract<IncidentEvent, { type: TimelineEventData['type'] }>;

const COMMANDS: ReadonlySet<string> = new Set(['EditCapturedNote', 'DeleteCapturedNote', 'CorrectTimelineTime']);
export const TIMELINE_CHANGE_EVENTS: ReadonlySet<string> = new Set([
  'NOTE_EDITED',
  'NOTE_DELETED',
  'TIMELINE_TIME_CORRECTED',
]);

export const isTimelineCommand = (c: { type: string }): c is TimelineCommand => COMMANDS.has(c.type);
export const isTimelineEvent = (e: IncidentEvent): e is TimelineEvent => TIMELINE_CHANGE_EVENTS.has(e.type);

/** A message on the timeline, by `channel:ts`: its entry's seq and what it says now. */
export interface MessageNote {
  seq: number;
  text: string;
  files: number;
  deleted?: boolean;
}

export const messageKey = (m: MessageKey) => `${m.channelId}:${m.ts}`;

/** Slack text as a note: clipped to the limit; a message that is only a file still gets a line. */
export const noteText = (text: string | undefined): string =>
  isBlank((text ?? '').trim()) ? '(message without text)' : (text ?? '').trim().slice(0, MAX_TEXT);

/** evolve helper for NOTE_ADDED: remember which entry a captured message became. */
export function withMessageNote(
  notes: IncidentState['messageNotes'],
  e: Extract<IncidentEvent, { type: 'NOTE_ADDED' }>,
): IncidentState['messageNotes'] {
  if (!e.source) return notes;
  return { ...notes, [messageKey(e.source)]: { seq: e.seq, text: e.text, files: e.source.files?.length ?? 0 } };
}

function parseTime(iso: string): string {
  const d = new Date(iso);
  if (!iso || Number.isNaN(d.getTime())) {
    throw new DomainError('invalid_input', `“${iso}” is not a time; use HH:MM (UTC) or an ISO 8601 timestamp.`);
  }
  return d.toISOString();
}

export function decideTimeline(command: TimelineCommand, state: IncidentState, actor: Actor): TimelineEventData[] {
  switch (command.type) {
    case 'EditCapturedNote': {
      const note = state.messageNotes?.[messageKey(command)];
      // Not on the timeline, or already gone: Slack tells us about every edit in the channel.
      if (!note || note.deleted) return [];
      const text = noteText(command.text);
      const files = command.files?.length ? command.files : undefined;
      // Same text (a retry, or Slack unfurling a link): nothing happened to the note.
      if (text === note.text && (files?.length ?? 0) === note.files) return [];
      const source = { channelId: command.channelId, ts: command.ts };
      return [{ type: 'NOTE_EDITED', entrySeq: note.seq, text, ...(files ? { files } : {}), source }];
    }
    case 'DeleteCapturedNote': {
      const note = state.messageNotes?.[messageKey(command)];
      if (!note || note.deleted) return [];
      return [{ type: 'NOTE_DELETED', entrySeq: note.seq, source: { channelId: command.channelId, ts: command.ts } }];
    }
    case 'CorrectTimelineTime': {
      const { seq, entry } = command;
      if (!Number.isInteger(seq) || seq < 1 || seq > state.version) {
        throw new DomainError('not_found', `INC-${state.number} has no timeline entry #${seq}.`);
      }
      if (TIMELINE_CHANGE_EVENTS.has(entry.type)) {
        throw new DomainError(
          'invalid_input',
          `Entry #${seq} records a change to another entry; correct that entry instead.`,
        );
      }
      requirePermission(canCorrectTimelineTime(actor, state, [entry.actor, entry.author]));
      const from = state.timeCorrections?.[seq] ?? entry.occurredAt;
      const to = parseTime(command.to);
      if (to === from) throw new DomainError('invalid_input', `Entry #${seq} is already at ${to}.`);
      return [{ type: 'TIMELINE_TIME_CORRECTED', entrySeq: seq, from, to }];
    }
    default:
      return assertNever(command);
  }
}

export function evolveTimeline(next: IncidentState, e: TimelineEvent): IncidentState {
  switch (e.type) {
    case 'NOTE_EDITED': {
      const key = messageKey(e.source);
      const note = next.messageNotes?.[key];
      if (note)
        next.messageNotes = { ...next.messageNotes, [key]: { ...note, text: e.text, files: e.files?.length ?? 0 } };
      return next;
    }
    case 'NOTE_DELETED': {
      const key = messageKey(e.source);
      const note = next.messageNotes?.[key];
      if (note) next.messageNotes = { ...next.messageNotes, [key]: { ...note, deleted: true } };
      return next;
    }
    case 'TIMELINE_TIME_CORRECTED':
      next.timeCorrections = { ...next.timeCorrections, [e.entrySeq]: e.to };
      return next;
    default:
      return assertNever(e);
  }
}

/** Files of a captured message as Slack links, appended to its timeline line. */
export const filesSuffix = (files: readonly NoteFile[] | undefined): string =>
  files?.length ? ` (${files.map((f) => `<${f.permalink}|${f.name.replace(/[<>|]/g, '')}>`).join(', ')})` : '';

/** The timeline line of a change event (the entry it changes is updated in place by the projection). */
export function describeTimelineChange(e: TimelineEvent, who: string): string {
  switch (e.type) {
    case 'NOTE_EDITED':
      return `Message of entry #${e.entrySeq} edited in Slack: ${e.text}${filesSuffix(e.files)}`;
    case 'NOTE_DELETED':
      return `Message of entry #${e.entrySeq} deleted in Slack`;
    case 'TIMELINE_TIME_CORRECTED':
      return `${who} corrected the time of entry #${e.entrySeq}: ${e.from} → ${e.to}`;
    default:
      return assertNever(e);
  }
}

/**
 * The log as the timeline should read it now: each captured message with its latest text and files,
 * deleted ones left out, corrected times applied; the change events themselves are folded away.
 */
export function applyTimelineChanges(events: readonly IncidentEvent[]): IncidentEvent[] {
  const edits = new Map<number, { text: string; files?: NoteFile[] }>();
  const deleted = new Set<number>();
  const times = new Map<number, string>();
  for (const e of events) {
    if (e.type === 'NOTE_EDITED') edits.set(e.entrySeq, { text: e.text, files: e.files });
    else if (e.type === 'NOTE_DELETED') deleted.add(e.entrySeq);
    else if (e.type === 'TIMELINE_TIME_CORRECTED') times.set(e.entrySeq, e.to);
  }
  return events
    .filter((e) => !TIMELINE_CHANGE_EVENTS.has(e.type) && !deleted.has(e.seq))
    .map((e) => {
      const at = times.get(e.seq);
      const edit = e.type === 'NOTE_ADDED' ? edits.get(e.seq) : undefined;
      if (!at && !edit) return e;
      const out = { ...e, ...(at ? { occurredAt: at } : {}) } as IncidentEvent;
      if (edit && out.type === 'NOTE_ADDED') {
        out.text = edit.text;
        if (out.source) out.source = { ...out.source, files: edit.files };
      }
      return out;
    });
}
