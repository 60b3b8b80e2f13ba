import type { Role } from '../shared/roles';
import { keysOf } from '../shared/same-shape';
import type { CorrelationEvidence } from './correlation.types';
import type { FollowUpCommand, FollowUpEventData, IssueRef } from './followup.decider';
import type { MessageNote, NoteFile, TimelineCommand, TimelineEventData } from './timeline.decider';
import type { AccessRequestState, PrivacyCommand, PrivacyEventData } from './privacy.decider';
import type { RollbackCommand, RollbackEventData, RollbackItem } from './rollback.decider';

export const STATUSES = ['OPEN', 'INVESTIGATING', 'MITIGATED', 'RESOLVED', 'CANCELLED'] as const;
export type IncidentStatus = (typeof STATUSES)[number];
/** Statuses of an incident that is still being worked (not resolved or cancelled). */
export const OPEN_STATUSES: readonly IncidentStatus[] = ['OPEN', 'INVESTIGATING', 'MITIGATED'];
export const isOpenStatus = (s: string): boolean => (OPEN_STATUSES as readonly string[]).includes(s);

export const SEVERITIES = ['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const INCIDENT_ROLES = ['commander', 'comms', 'scribe'] as const;
export type IncidentRole = (typeof INCIDENT_ROLES)[number];

export const MAX_TITLE = 150;
export const MAX_TEXT = 3000;

/** Who asked: the Slack user and their workspace role, or a connector / the system. */
export interface Actor {
  kind: 'user' | 'connector' | 'system';
  id: string;
  role: Role;
}

export interface ActionItem {
  id: string;
  text: string;
  owner?: string;
  done: boolean;
  createdAt: string;
  completedAt?: string;
  completedBy?: string;
  /** The tracker issue this follow-up was exported to (followup.decider.ts). */
  issue?: IssueRef;
  /** An export was asked for and the outbox has not created the issue yet. */
  exportPending?: { tracker: string; repository: string };
}

/** ActionItem's keys, for copies that share one hidden class (shared/same-shape.ts). */
export const ACTION_ITEM_KEYS = keysOf<ActionItem>()([
  'id',
  'text',
  'owner',
  'done',
  'createdAt',
  'completedAt',
  'completedBy',
  'issue',
  'exportPending',
]);

export interface AttachedSignal {
  signalId: string;
  fingerprint: string;
  service: string;
  environment: string;
  title: string;
  risk: 'AT_RISK' | 'BREACHED' | 'CLEARED';
  status: 'firing' | 'resolved';
  correlationKey?: string;
  traceId?: string;
  source: string;
  /** Which correlation rule attached it and on what evidence (the first join's; absent on older events). */
  correlation?: CorrelationEvidence;
  attachedAt: string;
  lastSeenAt: string;
  resolvedAt?: string;
}

/** The decider's view of an incident, folded from its events. */
export interface IncidentState {
  exists: boolean;
  id: string;
  orgId: string;
  number: number;
  title: string;
  description?: string;
  status: IncidentStatus;
  severity: Severity;
  service?: string;
  environment?: string;
  source: 'manual' | 'auto';
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  mitigatedAt?: string;
  resolvedAt?: string;
  cancelledAt?: string;
  lastUpdateAt?: string;
  lastUpdateText?: string;
  roles: Partial<Record<IncidentRole, string>>;
  channelId?: string;
  channelName?: string;
  summaryTs?: string;
  actions: ActionItem[];
  signals: AttachedSignal[];
  noteCount: number;
  /** `channel:ts` of messages already added to the timeline, so a shortcut pressed twice adds once. */
  notesFromMessages?: string[];
  /** Captured messages by `channel:ts` (entry seq, latest text): edits and deletes in Slack find them. */
  messageNotes?: Record<string, MessageNote>;
  /** Entry seq → corrected time (TIMELINE_TIME_CORRECTED). */
  timeCorrections?: Record<number, string>;
  version: number;
  postmortemVersion: number;
  postmortemPrUrl?: string;
  postmortemPrNumber?: number;
  /** Private incidents (security, HR): only members and admins may see them. Absent = public. */
  visibility?: 'public' | 'private';
  /** Slack user ids who may see a private incident besides its declarer and role holders. */
  members?: string[];
  /** Requests to join a private incident (privacy.decider.ts: rate limit, decisions). */
  accessRequests?: AccessRequestState[];
  /** `viewer|surface` → when that audited view was last recorded (repeat views within a minute are one). */
  lastViews?: Record<string, string>;
  /** Rollbacks asked for from this incident (rollback.decider.ts). */
  rollbacks?: RollbackItem[];
}

export const initialState = (id: string, orgId: string): IncidentState => ({
  exists: false,
  id,
  orgId,
  number: 0,
  title: '',
  status: 'OPEN',
  severity: 'SEV3',
  source: 'manual',
  createdBy: '',
  createdAt: '',
  updatedAt: '',
  roles: {},
  actions: [],
  signals: [],
  noteCount: 0,
  version: 0,
  postmortemVersion: 0,
});

/** Signal data carried on SIGNAL_ATTACHED (a subset of the normalised signal). */
export type SignalRef = Omit<AttachedSignal, 'attachedAt' | 'lastSeenAt' | 'resolvedAt'>;

/**
 * How a postmortem draft was produced, kept on the event so the log alone says which drafts were
 * AI-written (the markdown itself lives in the postmortems table). Optional for older events.
 */
export interface PostmortemDraftFacts {
  version: number;
  model?: string;
  generator?: 'llm' | 'deterministic';
  tokens?: number;
  promptVersion?: string;
  /** Why a configured model's narrative was not used (timeout, http_error…): the draft is deterministic. */
  fallback?: string;
}

/** Where a note copied from a chat message came from; files and images are kept as links. */
export interface NoteSource {
  channelId: string;
  ts: string;
  author?: string;
  permalink?: string;
  files?: NoteFile[];
  /** Set when captured from the pinned summary's thread (not echoed into the channel again). */
  threadTs?: string;
}

// ---- commands (imperative) ----
/** What a declaration fixes about an incident: the DeclareIncident command and its INCIDENT_CREATED event. */
export interface DeclarationFacts {
  number: number;
  title: string;
  severity: Severity;
  service?: string;
  environment?: string;
  description?: string;
  channelName: string;
  /** Absent = public. A private incident's channel is private and its text is shown to members only. */
  visibility?: 'public' | 'private';
}

export type IncidentCommand =
  | ({ type: 'DeclareIncident'; signal?: SignalRef } & DeclarationFacts)
  | { type: 'ChangeStatus'; status: IncidentStatus; message?: string }
  | { type: 'ChangeSeverity'; severity: Severity }
  | { type: 'AssignRole'; role: IncidentRole; userId: string }
  | { type: 'AddNote'; text: string; source?: NoteSource }
  | { type: 'AddAction'; actionId: string; text: string; owner?: string }
  | { type: 'CompleteAction'; actionId: string }
  | { type: 'ReopenAction'; actionId: string }
  | { type: 'PostUpdate'; text: string }
  | { type: 'AttachSignal'; signal: SignalRef; repeat?: boolean }
  /** A request's alerts for one incident, in arrival order: each decided as AttachSignal would be. */
  | { type: 'AttachSignals'; signals: SignalRef[] }
  | { type: 'ResolveSignal'; fingerprint: string }
  | { type: 'LinkChannel'; channelId: string; channelName: string }
  | { type: 'RecordSummary'; ts: string }
  | ({ type: 'RecordPostmortemDraft' } & PostmortemDraftFacts)
  | { type: 'RecordPostmortemPr'; number: number; url: string; branch: string }
  | { type: 'RecordGuidance'; generator: 'llm' | 'deterministic'; model?: string; promptVersion?: string; tokens?: number; actionCount: number }
  | TimelineCommand
  | FollowUpCommand
  | PrivacyCommand
  | RollbackCommand;

// ---- events (past tense) ----
export type IncidentEventData =
  | ({ type: 'INCIDENT_CREATED'; source: 'manual' | 'auto' } & DeclarationFacts)
  | { type: 'STATUS_CHANGED'; from: IncidentStatus; to: IncidentStatus; message?: string }
  | { type: 'SEVERITY_UPDATED'; from: Severity; to: Severity }
  | { type: 'ASSIGNEE_CHANGED'; role: IncidentRole; userId: string; previous?: string }
  | { type: 'NOTE_ADDED'; text: string; source?: NoteSource }
  | { type: 'ACTION_ADDED'; actionId: string; text: string; owner?: string }
  | { type: 'ACTION_COMPLETED'; actionId: string }
  | { type: 'ACTION_REOPENED'; actionId: string }
  | { type: 'UPDATE_POSTED'; text: string }
  | { type: 'SIGNAL_ATTACHED'; signal: SignalRef }
  | { type: 'SIGNAL_RESOLVED'; fingerprint: string }
  | { type: 'CHANNEL_LINKED'; channelId: string; channelName: string }
  | { type: 'SUMMARY_POSTED'; ts: string }
  | ({ type: 'POSTMORTEM_DRAFTED' } & PostmortemDraftFacts)
  | { type: 'POSTMORTEM_PR_OPENED'; number: number; url: string; branch: string }
  | { type: 'GUIDANCE_GENERATED'; generator: 'llm' | 'deterministic'; model?: string; promptVersion?: string; tokens?: number; actionCount: number }
  | TimelineEventData
  | FollowUpEventData
  | PrivacyEventData
  | RollbackEventData;

export type IncidentEventType = IncidentEventData['type'];

/** An event as stored: the data plus its envelope. */
export type IncidentEvent = IncidentEventData & {
  incidentId: string;
  orgId: string;
  seq: number;
  actor: string;
  occurredAt: string;
};
