import type { IncidentEvent, IncidentState } from '../incidents/incident.types';
import { userMentions } from '../shared/text';

/** A postmortem names at most this many people; more would only slow drafting down. */
export const MAX_NAMED_PEOPLE = 60;
const USER_ID = /^[UW][A-Z0-9]{2,}$/;

/** Every Slack user id the draft will mention: actors, assignees, owners, authors and `<@U…>` in texts. */
export function userIdsIn(state: IncidentState, events: IncidentEvent[]): string[] {
  const ids = new Set<string>();
  const add = (id?: string) => {
    if (id && USER_ID.test(id)) ids.add(id);
  };
  for (const e of events) {
    add(e.actor);
    if (e.type === 'ASSIGNEE_CHANGED') [e.userId, e.previous].forEach(add);
    if (e.type === 'ACTION_ADDED') add(e.owner);
    if (e.type === 'NOTE_ADDED') add(e.source?.author);
  }
  userMentions(JSON.stringify(events)).forEach(add);
  Object.values(state.roles).forEach(add);
  return [...ids].slice(0, MAX_NAMED_PEOPLE);
}
