import { loadEvents } from '../adapters/db/event-store';
import { findIncidentByChannel, findIncidentById } from '../adapters/db/incident.queries';
import { saveThreadCapture, threadCaptureSetting, timelineRows } from '../adapters/db/timeline.repo';
import {
  canAddNote,
  canAdminister,
  canCorrectTimelineTime,
  canSeeIncident,
  requirePermission,
} from '../incidents/incident.permissions';
import type { Actor } from '../incidents/incident.types';
import { type MessageKey, type NoteFile, messageKey, noteText } from '../incidents/timeline.decider';
import { DomainError, isDomainError } from '../shared/domain-error';
import { parseEntryTime } from '../shared/time-input';
import { resolveActor } from './access.service';
import type { AppDeps } from './deps';

/**
 * The timeline keeping up with the channel: replies in the pinned summary's thread join it, captured
 * messages edited or deleted in Slack follow, and an entry's time can be corrected. Slack retries the
 * same event (same event_id) when we are slow: the event id is the idempotency key and the decider
 * ignores an edit that changes nothing, so a retry never writes twice.
 */
type Deps = Pick<AppDeps, 'db' | 'config' | 'incidents' | 'now' | 'logger'>;

/** Slack reporting a change it saw: not a person's command, so no role applies. */
const SLACK: Actor = { kind: 'system', id: 'slack', role: 'viewer' };

export interface ChannelMessage extends MessageKey {
  orgId: string;
  /** Slack's event_id: the same for every retry of one event. */
  eventId?: string;
  user?: string;
  text?: string;
  files?: NoteFile[];
  threadTs?: string;
}

export type SyncOutcome = 'added' | 'updated' | 'deleted' | 'ignored';

/** Whether the workspace captures summary-thread replies (its own choice, else TIMELINE_THREAD_CAPTURE). */
export async function threadCaptureEnabled(deps: Pick<Deps, 'db' | 'config'>, orgId: string): Promise<boolean> {
  return (await threadCaptureSetting(deps.db, orgId)) ?? deps.config.timelineThreadCapture;
}

export async function setThreadCapture(deps: Deps, input: { orgId: string; actor: Actor; enabled: boolean }) {
  requirePermission(canAdminister(input.actor, 'Changing timeline settings'));
  await saveThreadCapture(deps.db, {
    orgId: input.orgId,
    enabled: input.enabled,
    by: input.actor.id,
    at: deps.now().toISOString(),
  });
  return { enabled: input.enabled };
}

/** A new message in a channel: kept when it replies in the incident's pinned summary thread. */
export async function captureThreadReply(deps: Deps, m: ChannelMessage): Promise<SyncOutcome> {
  if (!m.user || !m.threadTs || m.threadTs === m.ts) return 'ignored';
  const incident = await findIncidentByChannel(deps.db, m.orgId, m.channelId);
  if (!incident?.summary_ts || incident.summary_ts !== m.threadTs) return 'ignored';
  if (!(await threadCaptureEnabled(deps, m.orgId))) return 'ignored';
  const actor = await resolveActor(deps, m.orgId, m.user);
  if (!canAddNote(actor).allowed) return 'ignored'; // a viewer's reply stays in the thread only
  try {
    const res = await deps.incidents.execute({
      orgId: m.orgId,
      incidentId: incident.id,
      actor,
      idempotencyKey: `msg:${m.channelId}:${m.ts}`,
      command: {
        type: 'AddNote',
        text: noteText(m.text),
        source: {
          channelId: m.channelId,
          ts: m.ts,
          author: m.user,
          threadTs: m.threadTs,
          ...(m.files?.length ? { files: m.files } : {}),
        },
      },
    });
    return res.duplicate ? 'ignored' : 'added';
  } catch (e) {
    if (isDomainError(e) && e.code === 'already_exists') return 'ignored'; // pinned or shortcut first
    throw e;
  }
}

/** The channel's incident when this message is on its timeline (cheap: the state is cached). */
async function noteOwner(deps: Deps, m: MessageKey & { orgId: string }) {
  const incident = await findIncidentByChannel(deps.db, m.orgId, m.channelId);
  if (!incident) return undefined;
  const state = await deps.incidents.load(m.orgId, incident.id);
  return state.messageNotes?.[messageKey(m)] ? incident : undefined;
}

/** `message_changed`: a captured message's new text (and files) replace the old on the timeline. */
export async function syncMessageEdit(deps: Deps, m: ChannelMessage): Promise<SyncOutcome> {
  const incident = await noteOwner(deps, m);
  if (!incident) return 'ignored';
  const res = await deps.incidents.execute({
    orgId: m.orgId,
    incidentId: incident.id,
    actor: m.user ? { ...SLACK, kind: 'user', id: m.user } : SLACK,
    idempotencyKey: m.eventId ? `slack-event:${m.eventId}` : undefined,
    command: { type: 'EditCapturedNote', channelId: m.channelId, ts: m.ts, text: m.text ?? '', files: m.files },
  });
  return res.events.length > 0 ? 'updated' : 'ignored';
}

/** `message_deleted` (or a parent turned into a tombstone): the entry stays, marked deleted. */
export async function syncMessageDelete(deps: Deps, m: MessageKey & { orgId: string; eventId?: string }) {
  const incident = await noteOwner(deps, m);
  if (!incident) return 'ignored' as const;
  const res = await deps.incidents.execute({
    orgId: m.orgId,
    incidentId: incident.id,
    actor: SLACK,
    idempotencyKey: m.eventId ? `slack-event:${m.eventId}` : undefined,
    command: { type: 'DeleteCapturedNote', channelId: m.channelId, ts: m.ts },
  });
  return res.events.length > 0 ? ('deleted' as const) : ('ignored' as const);
}

export interface CorrectTimeInput {
  orgId: string;
  actor: Actor;
  incidentId: string;
  seq: number;
  /** `HH:MM` (UTC, on the entry's day) or ISO 8601. */
  time: string;
  idempotencyKey?: string;
}

/** Correct when an entry happened; the log keeps when it was recorded and who corrected it, from → to. */
export async function correctEntryTime(deps: Deps, input: CorrectTimeInput) {
  if (!Number.isInteger(input.seq) || input.seq < 1) {
    throw new DomainError('invalid_input', `“${input.seq}” is not an entry number; \`/incident timeline\` shows them.`);
  }
  const [entry] = await loadEvents(deps.db, input.orgId, input.incidentId, input.seq - 1, 1);
  if (!entry || entry.seq !== input.seq)
    throw new DomainError('not_found', `There is no timeline entry #${input.seq}.`);
  const state = await deps.incidents.load(input.orgId, input.incidentId);
  const author = entry.type === 'NOTE_ADDED' ? entry.source?.author : undefined;
  // Who may is said before what is wrong with the time (the decider checks again).
  requirePermission(canCorrectTimelineTime(input.actor, state, [entry.actor, author]));
  const current = state.timeCorrections?.[input.seq] ?? entry.occurredAt;
  const to = parseEntryTime(input.time, current);
  if (new Date(to).getTime() > deps.now().getTime() + 60_000) {
    throw new DomainError('invalid_input', `${to} is in the future; an entry's time is when it happened.`);
  }
  const res = await deps.incidents.execute({
    orgId: input.orgId,
    incidentId: input.incidentId,
    actor: input.actor,
    idempotencyKey: input.idempotencyKey,
    command: {
      type: 'CorrectTimelineTime',
      seq: input.seq,
      to,
      entry: { type: entry.type, actor: entry.actor, author, occurredAt: entry.occurredAt },
    },
  });
  return { state: res.state, duplicate: res.duplicate, seq: input.seq, from: current, to };
}

export interface TimelineItem {
  seq: number;
  type: string;
  actor: string;
  /** When it happened: the corrected time if any, else when it was recorded. */
  at: string;
  recordedAt: string;
  correctedAt?: string;
  text: string;
  editedAt?: string;
  deleted: boolean;
  deletedAt?: string;
  files: NoteFile[];
}

const CHANGE_TYPES = new Set(['NOTE_EDITED', 'NOTE_DELETED', 'TIMELINE_TIME_CORRECTED']);

/**
 * The timeline as people read it: in time order (corrected times win, seq breaks ties), edited entries
 * with their latest text, deleted ones marked (their text withheld), the change records folded away
 * unless `withChanges` (the event log has them all).
 */
export async function timelineView(
  deps: Deps,
  input: { orgId: string; actor: Actor; incidentId: string; withChanges?: boolean },
) {
  const incident = await findIncidentById(deps.db, input.orgId, input.incidentId);
  if (!incident) throw new DomainError('not_found', 'No such incident in this organisation.');
  const state = await deps.incidents.load(input.orgId, input.incidentId);
  requirePermission(canSeeIncident(input.actor, state));
  const rows = await timelineRows(deps.db, input.orgId, input.incidentId);
  const items: TimelineItem[] = rows
    .filter((r) => input.withChanges || !CHANGE_TYPES.has(r.type))
    .map((r) => ({
      seq: Number(r.seq),
      type: r.type,
      actor: r.actor,
      at: r.corrected_at ?? r.occurred_at,
      recordedAt: r.occurred_at,
      ...(r.corrected_at ? { correctedAt: r.corrected_at } : {}),
      text: r.deleted_at ? '(message deleted in Slack)' : r.text,
      ...(r.edited_at ? { editedAt: r.edited_at } : {}),
      deleted: !!r.deleted_at,
      ...(r.deleted_at ? { deletedAt: r.deleted_at } : {}),
      files: r.deleted_at || !r.files ? [] : (JSON.parse(r.files) as NoteFile[]),
    }));
  items.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.seq - b.seq));
  return { incident, items };
}
