import { DomainError, assertNever } from '../shared/domain-error';
import { keysOf, withFields } from '../shared/same-shape';
import { canSeeIncident, isIncidentMember, requirePermission } from './incident.permissions';
import type { Actor, IncidentEvent, IncidentState } from './incident.types';

/**
 * Private incidents (security, HR): membership, the one-way switch to private, access requests and the audit
 * of views and admin joins. Delegated to from incident.decider.ts; pure like it (the clock arrives in commands).
 */
export type PrivacyCommand =
  | { type: 'AddMember'; userId: string }
  | { type: 'MakePrivate'; members: string[] }
  | { type: 'MakePublic' }
  | { type: 'RequestAccess'; requestId: string; at: string }
  | { type: 'DecideAccess'; requestId: string; decision: 'approved' | 'denied' }
  /** `at`: the caller's clock, so a live page refreshing every few seconds is one audited view a minute. */
  | { type: 'RecordPrivateView'; surface: string; viewer: string; at?: string }
  | { type: 'JoinAsAdmin' };

export type PrivacyEventData =
  | { type: 'MEMBER_ADDED'; userId: string; via: 'invited' | 'approved' }
  | { type: 'INCIDENT_MADE_PRIVATE'; members: string[] }
  | { type: 'ACCESS_REQUESTED'; requestId: string; userId: string }
  | { type: 'ACCESS_DECIDED'; requestId: string; userId: string; decision: 'approved' | 'denied'; by: string }
  | { type: 'PRIVATE_INCIDENT_VIEWED'; surface: string; viewer: string }
  | { type: 'ADMIN_JOINED'; userId: string };

/** An access request as the state keeps it (the rate limit and the decision read it). */
export interface AccessRequestState {
  requestId: string;
  userId: string;
  at: string;
  decision?: 'approved' | 'denied';
  decidedBy?: string;
}

const ACCESS_REQUEST_KEYS = keysOf<AccessRequestState>()(['requestId', 'userId', 'at', 'decision', 'decidedBy']);

/** One access request per person per incident in this window (minutes). */
export const ACCESS_REQUEST_WINDOW_MIN = 15;

const PRIVACY_COMMANDS = new Set<string>([
  'AddMember',
  'MakePrivate',
  'MakePublic',
  'RequestAccess',
  'DecideAccess',
  'RecordPrivateView',
  'JoinAsAdmin',
]);
const PRIVACY_EVENTS = new Set<string>([
  'MEMBER_ADDED',
  'INCIDENT_MADE_PRIVATE',
  'ACCESS_REQUESTED',
  'ACCESS_DECIDED',
  'PRIVATE_INCIDENT_VIEWED',
  'ADMIN_JOINED',
]);
export const isPrivacyCommand = (c: { type: string }): c is PrivacyCommand => PRIVACY_COMMANDS.has(c.type);
export const isPrivacyEvent = <E extends { type: string }>(e: E): e is Extract<E, PrivacyEventData> =>
  PRIVACY_EVENTS.has(e.type);

/** Why a private incident never becomes public again (shown to whoever asks). */
export const STAYS_PRIVATE_REASON =
  'is private and stays private: its channel, timeline and notes were written for its members only, and making it ' +
  'public would show all of that to the whole workspace at once. Share a summary in a new public incident instead.';

const isPrivate = (s: IncidentState) => s.visibility === 'private';
const isAdminOrCommander = (actor: Actor, s: IncidentState) => actor.role === 'admin' || s.roles.commander === actor.id;

/** Everyone who may see a private incident besides admins: declarer, role holders, invited and approved people. */
export function incidentMembers(s: Pick<IncidentState, 'createdBy' | 'roles' | 'members'>): string[] {
  const ids = [s.createdBy, ...Object.values(s.roles), ...(s.members ?? [])];
  return [...new Set(ids.filter((x): x is string => !!x && /^[UW][A-Z0-9]+$/.test(x)))];
}

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

function requestAccess(c: Extract<PrivacyCommand, { type: 'RequestAccess' }>, s: IncidentState, actor: Actor) {
  const inc = `INC-${s.number}`;
  if (!isPrivate(s)) throw new DomainError('invalid_input', `${inc} is not private; everyone can join its channel.`);
  if (actor.kind !== 'user') throw new DomainError('forbidden', 'Only a person can ask to join a private incident.');
  if (isIncidentMember(actor, s)) throw new DomainError('invalid_input', `You are already a member of ${inc}.`);
  const last = [...(s.accessRequests ?? [])].reverse().find((r) => r.userId === actor.id);
  const windowMs = ACCESS_REQUEST_WINDOW_MIN * 60_000;
  if (last && Date.parse(c.at) - Date.parse(last.at) < windowMs) {
    const again = Date.parse(last.at) + windowMs;
    throw new DomainError(
      'conflict',
      `You asked to join ${inc} at ${hhmm(Date.parse(last.at))} UTC; one request per ${ACCESS_REQUEST_WINDOW_MIN} minutes. ` +
        `You may ask again at ${hhmm(again)} UTC.`,
    );
  }
  return [{ type: 'ACCESS_REQUESTED' as const, requestId: c.requestId, userId: actor.id }];
}

function decideAccess(c: Extract<PrivacyCommand, { type: 'DecideAccess' }>, s: IncidentState, actor: Actor) {
  if (!isAdminOrCommander(actor, s)) {
    throw new DomainError('forbidden', `Only an admin or the commander of INC-${s.number} can decide access requests.`);
  }
  const req = s.accessRequests?.find((r) => r.requestId === c.requestId);
  if (!req) throw new DomainError('not_found', 'That access request does not exist.');
  if (req.decision) {
    throw new DomainError('already_exists', `That request was already ${req.decision} by <@${req.decidedBy}>.`);
  }
  const decided: PrivacyEventData = { type: 'ACCESS_DECIDED', requestId: c.requestId, userId: req.userId, decision: c.decision, by: actor.id };
  if (c.decision === 'denied' || isIncidentMember({ id: req.userId }, s)) return [decided];
  return [decided, { type: 'MEMBER_ADDED' as const, userId: req.userId, via: 'approved' as const }];
}

export function decidePrivacy(command: PrivacyCommand, s: IncidentState, actor: Actor): PrivacyEventData[] {
  const inc = `INC-${s.number}`;
  switch (command.type) {
    case 'AddMember':
      if (!isPrivate(s)) throw new DomainError('invalid_input', `${inc} is public; anyone can join its channel.`);
      if (actor.role !== 'admin' && !isIncidentMember(actor, s)) {
        throw new DomainError('forbidden', `Only an admin or a member of ${inc} can invite people to it.`);
      }
      if (actor.role === 'viewer') throw new DomainError('forbidden', 'Viewers cannot invite people to an incident.');
      if (isIncidentMember({ id: command.userId }, s)) {
        throw new DomainError('invalid_input', `<@${command.userId}> is already a member of ${inc}.`);
      }
      return [{ type: 'MEMBER_ADDED', userId: command.userId, via: 'invited' }];
    case 'MakePrivate':
      if (isPrivate(s)) throw new DomainError('invalid_input', `${inc} is already private.`);
      if (!isAdminOrCommander(actor, s)) {
        throw new DomainError('forbidden', `Only an admin or the commander of ${inc} can make it private.`);
      }
      return [{ type: 'INCIDENT_MADE_PRIVATE', members: [...new Set(command.members)] }];
    case 'MakePublic':
      if (!isPrivate(s)) throw new DomainError('invalid_input', `${inc} is already public.`);
      throw new DomainError('invalid_transition', `${inc} ${STAYS_PRIVATE_REASON}`);
    case 'RequestAccess':
      return requestAccess(command, s, actor);
    case 'DecideAccess':
      return decideAccess(command, s, actor);
    case 'RecordPrivateView':
      if (!isPrivate(s)) return [];
      requirePermission(canSeeIncident(actor, s));
      if (viewedRecently(s, command)) return [];
      return [{ type: 'PRIVATE_INCIDENT_VIEWED', surface: command.surface, viewer: command.viewer }];
    case 'JoinAsAdmin':
      if (!isPrivate(s)) throw new DomainError('invalid_input', `${inc} is public; join its channel.`);
      if (actor.role !== 'admin') throw new DomainError('forbidden', `Only an admin can join ${inc} without an invitation.`);
      if (isIncidentMember(actor, s)) throw new DomainError('invalid_input', `You are already a member of ${inc}.`);
      return [{ type: 'ADMIN_JOINED', userId: actor.id }];
    default:
      return assertNever(command);
  }
}

const withMembers = (s: IncidentState, ids: string[]) => [...new Set([...(s.members ?? []), ...ids])];

/** Completes `next` (a fresh copy made by evolve) for a privacy event. */
export function evolvePrivacy(next: IncidentState, event: IncidentEvent & PrivacyEventData): IncidentState {
  switch (event.type) {
    case 'MEMBER_ADDED':
      next.members = withMembers(next, [event.userId]);
      return next;
    case 'ADMIN_JOINED':
      next.members = withMembers(next, [event.userId]);
      return next;
    case 'INCIDENT_MADE_PRIVATE':
      next.visibility = 'private';
      next.members = withMembers(next, event.members);
      return next;
    case 'ACCESS_REQUESTED':
      next.accessRequests = [
        ...(next.accessRequests ?? []),
        { requestId: event.requestId, userId: event.userId, at: event.occurredAt },
      ];
      return next;
    case 'ACCESS_DECIDED':
      next.accessRequests = (next.accessRequests ?? []).map((r) =>
        r.requestId === event.requestId ? withFields(ACCESS_REQUEST_KEYS, r, { decision: event.decision, decidedBy: event.by }) : r,
      );
      return next;
    case 'PRIVATE_INCIDENT_VIEWED':
      next.lastViews = { ...next.lastViews, [`${event.viewer}|${event.surface}`]: event.occurredAt };
      return next;
    default:
      return assertNever(event);
  }
}

const VIEW_AUDIT_WINDOW_MS = 60_000;
function viewedRecently(s: IncidentState, c: { viewer: string; surface: string; at?: string }): boolean {
  const last = s.lastViews?.[`${c.viewer}|${c.surface}`];
  if (!last || !c.at) return false;
  const gap = Date.parse(c.at) - Date.parse(last);
  return gap >= 0 && gap < VIEW_AUDIT_WINDOW_MS;
}

/** Timeline lines for privacy events (mrkdwn; user ids render as mentions). */
export function describePrivacyEvent(e: PrivacyEventData & { actor: string }): string {
  const who = /^[UW]/.test(e.actor) ? `<@${e.actor}>` : e.actor;
  switch (e.type) {
    case 'MEMBER_ADDED':
      return e.via === 'approved' ? `<@${e.userId}> joined (access approved)` : `${who} invited <@${e.userId}>`;
    case 'INCIDENT_MADE_PRIVATE':
      return `${who} made the incident private (${e.members.length} members kept)`;
    case 'ACCESS_REQUESTED':
      return `<@${e.userId}> asked to join`;
    case 'ACCESS_DECIDED':
      return `<@${e.by}> ${e.decision} <@${e.userId}>'s access request`;
    case 'PRIVATE_INCIDENT_VIEWED':
      return `${/^[UW]/.test(e.viewer) ? `<@${e.viewer}>` : e.viewer} viewed the incident (${e.surface})`;
    case 'ADMIN_JOINED':
      return `<@${e.userId}> joined as admin (audited)`;
    default:
      return assertNever(e);
  }
}
