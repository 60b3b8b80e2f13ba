import { randomUUID } from 'node:crypto';
import type { Config } from '../config';
import {
  canAddFollowUp,
  canAddNote,
  canAssign,
  canCompleteFollowUp,
  canDeclare,
  canPostUpdate,
  requirePermission,
} from '../incidents/incident.permissions';
import {
  type Actor,
  type IncidentCommand,
  type IncidentRole,
  type IncidentState,
  type IncidentStatus,
  MAX_TEXT,
  type Severity,
} from '../incidents/incident.types';
import type { NoteFile } from '../incidents/timeline.decider';
import { DomainError } from '../shared/domain-error';
import { declareCommand } from './declare.command';
import type { IncidentService } from './incident.service';

/**
 * The incident use cases people trigger (Slack today, the REST API and console next): plain input in,
 * a plain outcome or a DomainError out. Role rules come from incident.permissions (checked here before any
 * outside call, and again by the decider); text limits and lifecycle rules from the decider.
 */
export interface IncidentCommandDeps {
  incidents: Pick<IncidentService, 'execute' | 'load'>;
  config: Pick<Config, 'channelPrefix'> & Partial<Pick<Config, 'privacy'>>;
}

/** Who asks, in which workspace. A retry with the same idempotency key changes nothing. */
export interface ActorInput {
  orgId: string;
  actor: Actor;
  idempotencyKey?: string;
}

export interface IncidentInput extends ActorInput {
  incidentId: string;
}

/** Port: what the chat workspace knows about a person (assigning a role, owning a follow-up). */
export interface PeopleDirectory {
  status(userId: string): Promise<'active' | 'deactivated' | 'unknown'>;
}

export interface IncidentOutcome {
  state: IncidentState;
  /** The idempotency key was seen before: nothing was written. */
  duplicate: boolean;
}

export interface DeclareInput extends ActorInput {
  title: string;
  severity?: Severity;
  service?: string;
  environment?: string;
  description?: string;
  /** 'private': members only, private channel (see README "Private incidents"). */
  visibility?: 'public' | 'private';
}

/** A chat message added to the timeline (message shortcut, :pushpin:): once per message, however often. */
export interface MessageRef {
  channelId: string;
  ts: string;
  author?: string;
  text?: string;
  /** Its files and images, kept on the note as links (permalinks). */
  files?: NoteFile[];
}

async function run(
  deps: IncidentCommandDeps,
  input: IncidentInput,
  command: IncidentCommand,
): Promise<IncidentOutcome> {
  const res = await deps.incidents.execute({
    orgId: input.orgId,
    incidentId: input.incidentId,
    actor: input.actor,
    idempotencyKey: input.idempotencyKey,
    command,
  });
  return { state: res.state, duplicate: res.duplicate };
}

async function requireMember(people: PeopleDirectory | undefined, userId: string): Promise<void> {
  const status = people ? await people.status(userId) : 'active';
  if (status === 'deactivated') throw new DomainError('invalid_input', `<@${userId}> has been deactivated.`);
  if (status === 'unknown')
    throw new DomainError('invalid_input', `I can't find the user <@${userId}> in this workspace.`);
}

/** May this person open the declare form? (Refused before any form is shown.) */
export function checkCanDeclare(input: Pick<ActorInput, 'actor'>): void {
  requirePermission(canDeclare(input.actor));
}

export async function declareIncident(deps: IncidentCommandDeps, input: DeclareInput): Promise<IncidentOutcome> {
  checkCanDeclare(input);
  const res = await deps.incidents.execute({
    orgId: input.orgId,
    incidentId: randomUUID(),
    actor: input.actor,
    idempotencyKey: input.idempotencyKey,
    command: declareCommand(deps.config.channelPrefix, {
      ...input,
      severity: input.severity ?? 'SEV3',
      privateChannelPrefix: deps.config.privacy?.channelPrefix,
    }),
  });
  return { state: res.state, duplicate: res.duplicate };
}

/** Lifecycle change; who may cancel (an SRE lead or the commander) is the decider's permission check. */
export const changeStatus = (
  deps: IncidentCommandDeps,
  input: IncidentInput & { status: IncidentStatus; message?: string },
) => run(deps, input, { type: 'ChangeStatus', status: input.status, message: input.message || undefined });

export const changeSeverity = (deps: IncidentCommandDeps, input: IncidentInput & { severity: Severity }) =>
  run(deps, input, { type: 'ChangeSeverity', severity: input.severity });

export async function assignRole(
  deps: IncidentCommandDeps,
  input: IncidentInput & { role: IncidentRole; userId: string; people?: PeopleDirectory },
) {
  requirePermission(canAssign(input.actor));
  await requireMember(input.people, input.userId);
  return run(deps, input, { type: 'AssignRole', role: input.role, userId: input.userId });
}

export async function addNote(deps: IncidentCommandDeps, input: IncidentInput & { text: string }) {
  requirePermission(canAddNote(input.actor));
  return run(deps, input, { type: 'AddNote', text: input.text });
}

/** The message's text becomes a note with its source; the same message twice is refused as already there. */
export async function addMessageToTimeline(deps: IncidentCommandDeps, input: IncidentInput & { message: MessageRef }) {
  requirePermission(canAddNote(input.actor));
  const m = input.message;
  const text = (m.text ?? '').slice(0, MAX_TEXT) || '(message without text)';
  const files = m.files?.length ? { files: m.files } : {};
  return run(deps, input, { type: 'AddNote', text, source: { channelId: m.channelId, ts: m.ts, author: m.author, ...files } });
}

export async function addFollowUp(
  deps: IncidentCommandDeps,
  input: IncidentInput & { text: string; owner?: string; people?: PeopleDirectory },
) {
  requirePermission(canAddFollowUp(input.actor));
  if (input.owner) await requireMember(input.people, input.owner);
  return run(deps, input, { type: 'AddAction', actionId: randomUUID(), text: input.text, owner: input.owner });
}

export async function completeFollowUp(deps: IncidentCommandDeps, input: IncidentInput & { actionId: string }) {
  requirePermission(canCompleteFollowUp(input.actor));
  return run(deps, input, { type: 'CompleteAction', actionId: input.actionId });
}

/** Undo a completion (done by mistake, or the tracker issue was reopened). */
export async function reopenFollowUp(deps: IncidentCommandDeps, input: IncidentInput & { actionId: string }) {
  requirePermission(canCompleteFollowUp(input.actor));
  return run(deps, input, { type: 'ReopenAction', actionId: input.actionId });
}

export async function postUpdate(deps: IncidentCommandDeps, input: IncidentInput & { text: string }) {
  requirePermission(canPostUpdate(input.actor));
  return run(deps, input, { type: 'PostUpdate', text: input.text });
}
