import { DomainError, assertNever } from '../shared/domain-error';
import { withFields } from '../shared/same-shape';
import { isBlank } from '../shared/text';
import {
  ACTION_ITEM_KEYS,
  type Actor,
  type IncidentCommand,
  type IncidentEvent,
  type IncidentEventData,
  type IncidentState,
  type IncidentStatus,
  MAX_TEXT,
  MAX_TITLE,
} from './incident.types';
import * as permissions from './incident.permissions';
import { signalIndex } from './signal-index';
import { decideSignals, evolveSignal, foldEvents, foldLine } from './signals.decider';
import { decidePrivacy, evolvePrivacy, isPrivacyCommand, isPrivacyEvent } from './privacy.decider';
import { decideTimeline, evolveTimeline, isTimelineCommand, isTimelineEvent, withMessageNote } from './timeline.decider';
import { decideFollowUp, evolveFollowUp, isFollowUpCommand, isFollowUpEvent } from './followup.decider';
import { decideRollback, evolveRollback, isRollbackCommand, isRollbackEvent } from './rollback.decider';

/**
 * Allowed lifecycle moves. Product choice (documented in README): forward skips are allowed
 * (a quick fix may go OPEN → RESOLVED), MITIGATED may regress to INVESTIGATING, RESOLVED may only
 * be reopened to INVESTIGATING, CANCELLED is terminal.
 */
const TRANSITIONS: Record<IncidentStatus, readonly IncidentStatus[]> = {
  OPEN: ['INVESTIGATING', 'MITIGATED', 'RESOLVED', 'CANCELLED'],
  INVESTIGATING: ['MITIGATED', 'RESOLVED', 'CANCELLED'],
  MITIGATED: ['INVESTIGATING', 'RESOLVED', 'CANCELLED'],
  RESOLVED: ['INVESTIGATING'],
  CANCELLED: [],
};

export const isClosed = (s: IncidentStatus) => s === 'RESOLVED' || s === 'CANCELLED';
export const canTransition = (from: IncidentStatus, to: IncidentStatus) => TRANSITIONS[from].includes(to);

const label = (s: IncidentStatus) => s.toLowerCase();

function transitionReason(from: IncidentStatus, to: IncidentStatus): string {
  if (from === to) return `The incident is already ${label(from)}.`;
  if (from === 'CANCELLED') return 'The incident was cancelled; cancelled incidents cannot change status. Declare a new one.';
  if (from === 'RESOLVED') return `A resolved incident cannot go to ${label(to)}; reopen it with \`status investigating\` first.`;
  const allowed = TRANSITIONS[from].map(label).join(', ');
  return `An incident that is ${label(from)} cannot move to ${label(to)}. Allowed: ${allowed}.`;
}

function requireText(text: string | undefined, what: string, max = MAX_TEXT): string {
  const t = (text ?? '').trim();
  // Zero-width, bidi and other invisible characters alone are no text (they would render as an empty title).
  if (isBlank(t)) throw new DomainError('invalid_input', `Please give the ${what} text.`);
  if (t.length > max) throw new DomainError('invalid_input', `The ${what} is ${t.length} characters; the limit is ${max}.`);
  return t;
}

function requireOpen(state: IncidentState, what: string) {
  if (state.status === 'CANCELLED') throw new DomainError('invalid_transition', `INC-${state.number} was cancelled; you cannot ${what}.`);
}

/** decide(command, state) → events. Pure: no clock, no I/O; the caller stamps the envelope. */
export function decide(command: IncidentCommand, state: IncidentState, actor: Actor): IncidentEventData[] {
  if (command.type !== 'DeclareIncident' && !state.exists) {
    throw new DomainError('not_found', 'That incident does not exist.');
  }
  if (isPrivacyCommand(command)) return decidePrivacy(command, state, actor);
  if (isTimelineCommand(command)) return decideTimeline(command, state, actor);
  if (isFollowUpCommand(command)) return decideFollowUp(command, state, actor);
  if (isRollbackCommand(command)) return decideRollback(command, state, actor);
  switch (command.type) {
    case 'DeclareIncident': {
      if (state.exists) throw new DomainError('already_exists', `INC-${state.number} already exists.`);
      permissions.requirePermission(permissions.canDeclare(actor));
      const title = requireText(command.title, 'title', MAX_TITLE);
      const events: IncidentEventData[] = [
        {
          type: 'INCIDENT_CREATED',
          number: command.number,
          title,
          severity: command.severity,
          service: command.service,
          environment: command.environment,
          description: command.description,
          channelName: command.channelName,
          source: actor.kind === 'user' ? 'manual' : 'auto',
          ...(command.visibility === 'private' ? { visibility: 'private' as const } : {}),
        },
      ];
      if (command.signal) events.push({ type: 'SIGNAL_ATTACHED', signal: command.signal });
      return events;
    }
    case 'ChangeStatus': {
      const to = command.status;
      permissions.requirePermission(permissions.canChangeStatus(actor, state, to));
      if (!canTransition(state.status, to)) throw new DomainError('invalid_transition', transitionReason(state.status, to));
      const message = command.message?.trim() ? requireText(command.message, 'status message') : undefined;
      return [{ type: 'STATUS_CHANGED', from: state.status, to, message }];
    }
    case 'ChangeSeverity': {
      permissions.requirePermission(permissions.canChangeSeverity(actor, state));
      if (isClosed(state.status)) throw new DomainError('invalid_transition', `INC-${state.number} is ${label(state.status)}; reopen it before changing severity.`);
      if (state.severity === command.severity) throw new DomainError('invalid_input', `INC-${state.number} is already ${command.severity}.`);
      return [{ type: 'SEVERITY_UPDATED', from: state.severity, to: command.severity }];
    }
    case 'AssignRole': {
      permissions.requirePermission(permissions.canAssign(actor));
      requireOpen(state, 'assign roles');
      if (state.roles[command.role] === command.userId) {
        throw new DomainError('invalid_input', `<@${command.userId}> is already the ${command.role}.`);
      }
      return [{ type: 'ASSIGNEE_CHANGED', role: command.role, userId: command.userId, previous: state.roles[command.role] }];
    }
    case 'AddNote': {
      permissions.requirePermission(permissions.canAddNote(actor));
      if (command.source && state.notesFromMessages?.includes(`${command.source.channelId}:${command.source.ts}`)) {
        throw new DomainError('already_exists', 'That message is already on the timeline.');
      }
      return [{ type: 'NOTE_ADDED', text: requireText(command.text, 'note'), source: command.source }];
    }
    case 'AddAction': {
      permissions.requirePermission(permissions.canAddFollowUp(actor));
      requireOpen(state, 'add actions');
      return [{ type: 'ACTION_ADDED', actionId: command.actionId, text: requireText(command.text, 'action'), owner: command.owner }];
    }
    case 'CompleteAction': {
      permissions.requirePermission(permissions.canCompleteFollowUp(actor));
      const action = state.actions.find((a) => a.id === command.actionId);
      if (!action) throw new DomainError('not_found', 'That follow-up action does not exist on this incident.');
      if (action.done) throw new DomainError('invalid_input', `“${action.text}” is already done.`);
      return [{ type: 'ACTION_COMPLETED', actionId: command.actionId }];
    }
    case 'ReopenAction': {
      permissions.requirePermission(permissions.canCompleteFollowUp(actor));
      const action = state.actions.find((a) => a.id === command.actionId);
      if (!action) throw new DomainError('not_found', 'That follow-up action does not exist on this incident.');
      if (!action.done) throw new DomainError('invalid_input', `“${action.text}” is not done.`);
      return [{ type: 'ACTION_REOPENED', actionId: command.actionId }];
    }
    case 'PostUpdate': {
      permissions.requirePermission(permissions.canPostUpdate(actor));
      requireOpen(state, 'post updates');
      return [{ type: 'UPDATE_POSTED', text: requireText(command.text, 'update') }];
    }
    case 'AttachSignal':
    case 'AttachSignals':
      return decideSignals(state, command);
    case 'ResolveSignal': {
      const existing = state.signals[signalIndex(state.signals, command.fingerprint)];
      if (!existing || existing.status === 'resolved') return [];
      return [{ type: 'SIGNAL_RESOLVED', fingerprint: command.fingerprint }];
    }
    case 'LinkChannel':
      if (state.channelId === command.channelId) return [];
      return [{ type: 'CHANNEL_LINKED', channelId: command.channelId, channelName: command.channelName }];
    case 'RecordSummary':
      if (state.summaryTs === command.ts) return [];
      return [{ type: 'SUMMARY_POSTED', ts: command.ts }];
    case 'RecordPostmortemDraft': {
      permissions.requirePermission(permissions.canDraftPostmortem(actor));
      const { type: _, ...facts } = command;
      return [{ type: 'POSTMORTEM_DRAFTED', ...facts }];
    }
    case 'RecordPostmortemPr':
      if (state.postmortemPrNumber === command.number && state.postmortemPrUrl === command.url) return [];
      return [{ type: 'POSTMORTEM_PR_OPENED', number: command.number, url: command.url, branch: command.branch }];
    case 'RecordGuidance':
      return [
        {
          type: 'GUIDANCE_GENERATED',
          generator: command.generator,
          model: command.model,
          promptVersion: command.promptVersion,
          tokens: command.tokens,
          actionCount: command.actionCount,
        },
      ];
    default:
      return assertNever(command);
  }
}

/**
 * evolve(state, event) → state. Pure and total: replaying the log always rebuilds the same state.
 * `next` is this call's own fresh copy, so it is completed in place: one object per event instead of
 * two matters when a rebuild folds millions of events. Arrays are copied only when they change.
 */
export function evolve(state: IncidentState, event: IncidentEvent): IncidentState {
  const next: IncidentState = { ...state, version: event.seq, updatedAt: event.occurredAt };
  if (isPrivacyEvent(event)) return evolvePrivacy(next, event);
  if (isTimelineEvent(event)) return evolveTimeline(next, event);
  if (isFollowUpEvent(event)) return evolveFollowUp(next, event);
  if (isRollbackEvent(event)) return evolveRollback(next, event);
  switch (event.type) {
    case 'INCIDENT_CREATED':
      return Object.assign(next, {
        exists: true,
        number: event.number,
        title: event.title,
        severity: event.severity,
        service: event.service,
        environment: event.environment,
        description: event.description,
        channelName: event.channelName,
        source: event.source,
        visibility: event.visibility === 'private' ? ('private' as const) : undefined,
        createdBy: event.actor,
        createdAt: event.occurredAt,
        status: 'OPEN' as const,
      });
    case 'STATUS_CHANGED':
      next.status = event.to;
      if (event.to === 'MITIGATED') next.mitigatedAt = event.occurredAt;
      if (event.to === 'RESOLVED') next.resolvedAt = event.occurredAt;
      if (event.to === 'CANCELLED') next.cancelledAt = event.occurredAt;
      if (event.from === 'RESOLVED') next.resolvedAt = undefined; // reopened
      if (event.message) {
        next.lastUpdateAt = event.occurredAt;
        next.lastUpdateText = event.message;
      }
      return next;
    case 'SEVERITY_UPDATED':
      next.severity = event.to;
      return next;
    case 'ASSIGNEE_CHANGED':
      next.roles = { ...state.roles, [event.role]: event.userId };
      return next;
    case 'NOTE_ADDED': {
      const seen = state.notesFromMessages ?? [];
      next.noteCount = state.noteCount + 1;
      next.notesFromMessages = event.source ? [...seen, `${event.source.channelId}:${event.source.ts}`] : seen;
      next.messageNotes = withMessageNote(state.messageNotes, event);
      return next;
    }
    case 'ACTION_ADDED':
      next.actions = [...state.actions, { id: event.actionId, text: event.text, owner: event.owner, done: false, createdAt: event.occurredAt }];
      return next;
    case 'ACTION_COMPLETED':
      next.actions = state.actions.map((a) =>
        a.id === event.actionId
          ? withFields(ACTION_ITEM_KEYS, a, { done: true, completedAt: event.occurredAt, completedBy: event.actor })
          : a,
      );
      return next;
    case 'ACTION_REOPENED':
      next.actions = state.actions.map((a) =>
        a.id === event.actionId ? withFields(ACTION_ITEM_KEYS, a, { done: false, completedAt: undefined, completedBy: undefined }) : a,
      );
      return next;
    case 'UPDATE_POSTED':
      next.lastUpdateAt = event.occurredAt;
      next.lastUpdateText = event.text;
      return next;
    case 'SIGNAL_ATTACHED':
    case 'SIGNAL_RESOLVED':
      return evolveSignal(next, state, event);
    case 'CHANNEL_LINKED':
      next.channelId = event.channelId;
      next.channelName = event.channelName;
      return next;
    case 'SUMMARY_POSTED':
      next.summaryTs = event.ts;
      return next;
    case 'POSTMORTEM_DRAFTED':
      next.postmortemVersion = event.version;
      return next;
    case 'POSTMORTEM_PR_OPENED':
      next.postmortemPrNumber = event.number;
      next.postmortemPrUrl = event.url;
      return next;
    case 'GUIDANCE_GENERATED':
      return next;
    default:
      return assertNever(event);
  }
}

/** `events.reduce(evolve, initial)`, linear in a storm's alerts (signals.decider.ts). */
export const fold = (initial: IncidentState, events: readonly IncidentEvent[]) => foldEvents(evolve, initial, events);
/** `evolve` for a caller that keeps only the newest state (the rebuild): linear in a storm's alerts. */
export const evolveLine = () => foldLine(evolve);
