import { DomainError } from '../shared/domain-error';
import { type Role, atLeast, roleLabel } from '../shared/roles';
import type { Actor, IncidentState, IncidentStatus } from './incident.types';

/**
 * Who may do what: one function per capability, each answering allowed or a refusal the person can read.
 * The decider, the application services and every adapter ask these; no adapter re-codes a role rule.
 */
export type Permission = { allowed: true } | { allowed: false; reason: string };

type Who = Pick<Actor, 'id' | 'role'>;
/** The incident facts a rule may look at (the commander, for cancelling and severity). */
type IncidentFacts = Pick<IncidentState, 'roles'>;

const ALLOWED: Permission = { allowed: true };
const refuse = (reason: string): Permission => ({ allowed: false, reason });

function needsRole(who: Who, min: Role, what: string): Permission {
  if (atLeast(who.role, min)) return ALLOWED;
  return refuse(`You need the ${roleLabel(min)} role (or higher) to ${what}; you are a ${roleLabel(who.role)}.`);
}

const isCommander = (who: Who, incident: IncidentFacts) => incident.roles.commander === who.id;
const leadOrCommander = (who: Who, incident: IncidentFacts, what: string): Permission =>
  atLeast(who.role, 'sre_lead') || isCommander(who, incident)
    ? ALLOWED
    : refuse(`Only an SRE lead, an admin or the incident commander can ${what}.`);

/** Read access (timeline, lists, search, guidance, runbooks, watchlist): every member. */
export const canView = (who: Who): Permission => needsRole(who, 'viewer', 'see incidents');
/** The incident facts visibility depends on. */
type VisibilityFacts = Pick<IncidentState, 'roles' | 'createdBy'> & Partial<Pick<IncidentState, 'visibility' | 'members'>>;
/** A private incident's members: its declarer, role holders and invited people. */
export const isIncidentMember = (who: Pick<Actor, 'id'>, incident: VisibilityFacts): boolean =>
  incident.createdBy === who.id ||
  Object.values(incident.roles).includes(who.id) ||
  (incident.members ?? []).includes(who.id);
/**
 * Whether `who` may see this incident at all (title, channel, text) on any surface. Public incidents: every
 * member of the workspace. Private ones: members, and admins (who see it exists and may join, audited).
 */
export const canSeeIncident = (who: Who, incident: VisibilityFacts): Permission =>
  incident.visibility !== 'private' || who.role === 'admin' || isIncidentMember(who, incident)
    ? canView(who)
    : refuse('That incident is private; ask its commander for access.');
export const canDeclare = (who: Who): Permission => needsRole(who, 'responder', 'declare an incident');
/** Cancelling is a lead's or the commander's call; every other move is a responder's. */
export const canChangeStatus = (who: Who, incident: IncidentFacts, to: IncidentStatus): Permission =>
  to === 'CANCELLED'
    ? leadOrCommander(who, incident, 'cancel an incident')
    : needsRole(who, 'responder', 'change the status');
export const canChangeSeverity = (who: Who, incident: IncidentFacts): Permission =>
  leadOrCommander(who, incident, 'change the severity');
export const canAssign = (who: Who): Permission => needsRole(who, 'responder', 'assign incident roles');
export const canAddNote = (who: Who): Permission => needsRole(who, 'responder', 'add notes');
/** A timeline entry's time: its author (who recorded it, or wrote the captured message), the commander, an admin. */
export const canCorrectTimelineTime = (who: Who, incident: IncidentFacts, authors: (string | undefined)[]): Permission =>
  authors.includes(who.id) || isCommander(who, incident) || who.role === 'admin'
    ? needsRole(who, 'responder', 'correct timeline times')
    : refuse("Only the entry's author, the incident commander or an admin can correct its time.");
/** Deployment events recorded through the API (connectors authenticate as themselves). */
export const canRecordChanges = (who: Who): Permission => needsRole(who, 'responder', 'record changes');
export const canAddFollowUp = (who: Who): Permission => needsRole(who, 'responder', 'add follow-up actions');
export const canCompleteFollowUp = (who: Who): Permission => needsRole(who, 'responder', 'complete actions');
export const canPostUpdate = (who: Who): Permission => needsRole(who, 'responder', 'post status updates');
export const canDraftPostmortem = (who: Who): Permission => needsRole(who, 'responder', 'draft a postmortem');
export const canOpenPostmortemPr = (who: Who): Permission =>
  needsRole(who, 'responder', 'open the postmortem pull request');
export const canDownloadPostmortem = (who: Who): Permission => needsRole(who, 'responder', 'download the postmortem');
/** Changing what responders are told to run is a lead's call. */
export const canEditRunbook = (who: Who): Permission =>
  atLeast(who.role, 'sre_lead')
    ? ALLOWED
    : refuse(`Changing a runbook needs the SRE lead role (or admin); you are a ${roleLabel(who.role)}.`);
/** Workspace administration: roles, connectors, digest settings. `what` names the task, e.g. "Managing connectors". */
export const canAdminister = (who: Who, what: string): Permission =>
  who.role === 'admin' ? ALLOWED : refuse(`${what} needs the admin role; you are a ${roleLabel(who.role)}.`);

/** The watchlist digest: everyone sees it; changing its settings or posting it on demand is an admin's. */
export const canConfigureDigest = (who: Who): Permission =>
  who.role === 'admin' ? ALLOWED : refuse(`Only an admin can change the digest; you are a ${roleLabel(who.role)}.`);
export const canPostDigestNow = (who: Who): Permission =>
  who.role === 'admin'
    ? ALLOWED
    : refuse('Only an admin can post the digest on demand; `/incident watchlist` shows it to you.');
/** Taking a service off the watchlist hides a risk from everyone: a lead's call. */
export const canClearWatchEntry = (who: Who): Permission =>
  atLeast(who.role, 'sre_lead')
    ? ALLOWED
    : refuse(`Only an admin or an SRE lead can clear watchlist entries; you are a ${roleLabel(who.role)}.`);

/** A task that needs at least `min`, e.g. a chat command named `what` (``"`digest`"``). */
export const hasRole = (who: Who, min: Role, what: string): Permission =>
  atLeast(who.role, min)
    ? ALLOWED
    : refuse(`${what} needs the ${roleLabel(min)} role; you are a ${roleLabel(who.role)}.`);

/** Throw the refusal as a `forbidden` DomainError. */
export function requirePermission(p: Permission): void {
  if (!p.allowed) throw new DomainError('forbidden', p.reason);
}

// Role-only checks kept for callers that have no actor at hand.
export const canRespond = (role: Role) => atLeast(role, 'responder');
export const isAdmin = (role: Role) => role === 'admin';
