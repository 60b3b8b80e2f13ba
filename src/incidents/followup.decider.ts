import { DomainError, assertNever } from '../shared/domain-error';
import { withFields } from '../shared/same-shape';
import { isBlank } from '../shared/text';
import { ACTION_ITEM_KEYS, type ActionItem, type Actor, type IncidentEvent, type IncidentEventData, type IncidentState } from './incident.types';
import * as permissions from './incident.permissions';

/**
 * Follow-ups kept in an issue tracker (GitHub Issues today). Exporting is two steps so a double press or a
 * retried delivery makes one issue: `ExportAction` records the intent (ACTION_EXPORT_REQUESTED, which plans
 * one outbox row), the outbox creates the issue and records it (ACTION_EXPORTED) or why it could not
 * (ACTION_EXPORT_FAILED). A title edit on the tracker renames the follow-up (ACTION_RENAMED).
 */
export const MAX_ACTION_TEXT = 3000;

/** Where a follow-up lives in a tracker. `repository` is the tracker's project (`owner/name` on GitHub). */
export interface IssueRef {
  tracker: string;
  repository: string;
  number: number;
  url: string;
}

export type FollowUpCommand =
  | { type: 'ExportAction'; actionId: string; tracker: string; repository: string }
  | ({ type: 'RecordActionExport'; actionId: string } & IssueRef)
  | { type: 'FailActionExport'; actionId: string; reason: string }
  | { type: 'RenameAction'; actionId: string; text: string };

export type FollowUpEventData =
  | { type: 'ACTION_EXPORT_REQUESTED'; actionId: string; tracker: string; repository: string }
  | ({ type: 'ACTION_EXPORTED'; actionId: string } & IssueRef)
  | { type: 'ACTION_EXPORT_FAILED'; actionId: string; tracker: string; reason: string }
  | { type: 'ACTION_RENAMED'; actionId: string; text: string; from: string };

const COMMANDS: ReadonlySet<string> = new Set<FollowUpCommand['type']>([
  'ExportAction',
  'RecordActionExport',
  'FailActionExport',
  'RenameAction',
]);
const EVENTS: ReadonlySet<string> = new Set<FollowUpEventData['type']>([
  'ACTION_EXPORT_REQUESTED',
  'ACTION_EXPORTED',
  'ACTION_EXPORT_FAILED',
  'ACTION_RENAMED',
]);

export const isFollowUpCommand = (c: { type: string }): c is FollowUpCommand => COMMANDS.has(c.type);
export const isFollowUpEvent = <E extends { type: string }>(e: E): e is E & FollowUpEventData => EVENTS.has(e.type);

function actionOf(state: IncidentState, actionId: string) {
  const action = state.actions.find((a) => a.id === actionId);
  if (!action) throw new DomainError('not_found', 'That follow-up action does not exist on this incident.');
  return action;
}

/** decide for follow-up tracker commands. Pure; the recording commands are idempotent (a retry adds nothing). */
export function decideFollowUp(command: FollowUpCommand, state: IncidentState, actor: Actor): IncidentEventData[] {
  const action = actionOf(state, command.actionId);
  switch (command.type) {
    case 'ExportAction': {
      permissions.requirePermission(permissions.canAddFollowUp(actor));
      if (action.issue) {
        throw new DomainError('already_exists', `“${action.text}” is already ${action.issue.repository}#${action.issue.number}: ${action.issue.url}`);
      }
      if (action.exportPending) {
        throw new DomainError('already_exists', `“${action.text}” is already being exported to ${action.exportPending.repository}.`);
      }
      const { actionId, tracker, repository } = command;
      return [{ type: 'ACTION_EXPORT_REQUESTED', actionId, tracker, repository }];
    }
    case 'RecordActionExport': {
      const same = action.issue && action.issue.url === command.url && action.issue.number === command.number;
      if (same) return [];
      const { type: _, ...ref } = command;
      return [{ type: 'ACTION_EXPORTED', ...ref }];
    }
    case 'FailActionExport':
      if (!action.exportPending) return [];
      return [{ type: 'ACTION_EXPORT_FAILED', actionId: command.actionId, tracker: action.exportPending.tracker, reason: command.reason }];
    case 'RenameAction': {
      const text = command.text.trim();
      // The tracker's title is the text: an emptied or over-long title is refused, not half-applied.
      if (isBlank(text)) throw new DomainError('invalid_input', 'A follow-up needs text; the new title is empty.');
      if (text.length > MAX_ACTION_TEXT) throw new DomainError('invalid_input', `The new title is ${text.length} characters; the limit is ${MAX_ACTION_TEXT}.`);
      if (text === action.text) return [];
      return [{ type: 'ACTION_RENAMED', actionId: command.actionId, text, from: action.text }];
    }
    default:
      return assertNever(command);
  }
}

/** evolve for follow-up tracker events; `next` is the caller's fresh copy of the state. */
export function evolveFollowUp(next: IncidentState, event: IncidentEvent & FollowUpEventData): IncidentState {
  const update = (patch: Partial<ActionItem>) => {
    next.actions = next.actions.map((a) => (a.id === event.actionId ? withFields(ACTION_ITEM_KEYS, a, patch) : a));
    return next;
  };
  switch (event.type) {
    case 'ACTION_EXPORT_REQUESTED':
      return update({ exportPending: { tracker: event.tracker, repository: event.repository } });
    case 'ACTION_EXPORTED': {
      const issue: IssueRef = { tracker: event.tracker, repository: event.repository, number: event.number, url: event.url };
      return update({ issue, exportPending: undefined });
    }
    case 'ACTION_EXPORT_FAILED':
      return update({ exportPending: undefined });
    case 'ACTION_RENAMED':
      return update({ text: event.text });
    default:
      return assertNever(event);
  }
}

/** The key a tracker's webhook looks a follow-up up by: `github:acme/ops#12` (case-insensitive repository). */
export const issueKey = (ref: Pick<IssueRef, 'tracker' | 'repository' | 'number'>) =>
  `${ref.tracker}:${ref.repository.toLowerCase()}#${ref.number}`;

/** The timeline line for a follow-up tracker event (`who` already rendered as a mention or a name). */
export function describeFollowUpEvent(e: IncidentEvent & FollowUpEventData, who: string): string {
  switch (e.type) {
    case 'ACTION_EXPORT_REQUESTED':
      return `${who} asked to export a follow-up to ${e.repository} (${e.actionId})`;
    case 'ACTION_EXPORTED':
      return `Follow-up exported to ${e.repository}#${e.number}: ${e.url}`;
    case 'ACTION_EXPORT_FAILED':
      return `Follow-up could not be exported (${e.actionId}): ${e.reason}`;
    case 'ACTION_RENAMED':
      return `${who} renamed a follow-up: ${e.from} → ${e.text}`;
    default:
      return assertNever(e);
  }
}
