import { canPostUpdate, requirePermission } from '../incidents/incident.permissions';
import type { Actor } from '../incidents/incident.types';
import { SNOOZE_MS } from '../watchlist/reminder.policy';
import { snoozeReminders } from '../adapters/db/digest-jobs.repo';
import type { DB } from '../adapters/db/schema';

/** Status-update reminders: the scheduler posts them; a responder may snooze them for an hour. */
export interface ReminderDeps {
  db: DB;
  now: () => Date;
}

/** The reminder's buttons need whoever may post the update it asks for. */
export const checkCanAnswerReminder = (actor: Actor) => requirePermission(canPostUpdate(actor));

/** Quiet the incident's reminders for SNOOZE_MS; returns until when. */
export async function snoozeReminder(
  deps: ReminderDeps,
  input: { orgId: string; actor: Actor; incidentId: string },
): Promise<{ until: Date }> {
  checkCanAnswerReminder(input.actor);
  const now = deps.now();
  const until = new Date(now.getTime() + SNOOZE_MS);
  await snoozeReminders(deps.db, { orgId: input.orgId, incidentId: input.incidentId, until, by: input.actor.id, now });
  return { until };
}
