import { effect, type PlannedEffect } from '../../../app/effects';
import type { IncidentState } from '../../../incidents/incident.types';

/** Summary edits caused by alerts wait this long so a storm folds into few edits. */
export const SIGNAL_SUMMARY_DELAY_MS = 5_000;
export const ROLLUP_DELAY_MS = 10_000;

/**
 * Under an alert storm (this many signals seen on the incident within a minute) the alert-driven edits
 * space out further, so Slack writes per incident stay bounded however many alerts arrive: over a
 * one-minute storm, about 4 summary edits and 3 roll-up edits on top of the channel's opening.
 */
export const STORM_SIGNALS_PER_MINUTE = 20;
export const STORM_SUMMARY_DELAY_MS = 15_000;
export const STORM_ROLLUP_DELAY_MS = 20_000;

/** Counts from the newest end (attachments are appended), so a storm is recognised in O(threshold). */
export function isStorming(state: IncidentState, now: Date): boolean {
  if (state.signals.length < STORM_SIGNALS_PER_MINUTE) return false;
  const since = new Date(now.getTime() - 60_000).toISOString();
  let recent = 0;
  for (let i = state.signals.length - 1; i >= 0; i--) {
    if (state.signals[i].lastSeenAt >= since && ++recent >= STORM_SIGNALS_PER_MINUTE) return true;
  }
  return false;
}

/**
 * People's changes edit the pinned summary at once, but at most once per this interval per incident: a
 * change inside the interval folds into one trailing edit at its end (rendered from the state then), so a
 * burst of notes costs two edits, not one per note.
 */
export const PEOPLE_SUMMARY_INTERVAL_MS = 1_000;
/** Incidents remembered by a pacer; the oldest are forgotten first (they only lose their pacing). */
const PACER_INCIDENTS = 10_000;

/** When this process last scheduled a people-caused summary edit, per incident (per replica, by design). */
export interface SummaryPacer {
  /** undefined: edit now; otherwise the ISO time of the trailing edit this change folds into. */
  notBefore(incidentId: string, now: Date): string | undefined;
}

export function createSummaryPacer(intervalMs = PEOPLE_SUMMARY_INTERVAL_MS): SummaryPacer {
  const last = new Map<string, number>(); // insertion order = least recently scheduled first
  return {
    notBefore(incidentId, now) {
      const t = now.getTime();
      const prev = last.get(incidentId);
      // Rolled back commands may leave an edit scheduled that never happens: at worst one interval's delay.
      let at: number | undefined;
      if (prev === undefined || t >= prev + intervalMs) at = undefined;
      else if (prev > t) at = prev; // a trailing edit is already scheduled: fold into it
      else at = prev + intervalMs;
      last.delete(incidentId);
      last.set(incidentId, at ?? t);
      if (last.size > PACER_INCIDENTS) last.delete(last.keys().next().value!);
      return at === undefined ? undefined : new Date(at).toISOString();
    },
  };
}

export const summaryKey = (incidentId: string) => `summary:${incidentId}`;
export const rollupKey = (incidentId: string) => `rollup:${incidentId}`;

/**
 * The summary and roll-up edits a change asks for. Edits caused by people go out at once; those caused
 * by alerts wait, longer during a storm. Each has a dedupe key: one pending row covers any number of
 * changes, because they render the state when they run. With a pacer, people's edits are spaced too.
 */
export function pacedEdits(
  before: IncidentState,
  after: IncidentState,
  now: Date,
  asked: { summaryNow: boolean; summarySoon: boolean; rollup: boolean },
  pacer?: SummaryPacer,
): PlannedEffect[] {
  if (!before.exists) return []; // the channel opening posts the first summary itself
  const id = after.id;
  const later = (ms: number) => new Date(now.getTime() + ms).toISOString();
  const storm = (asked.summarySoon || asked.rollup) && isStorming(after, now);
  const out: PlannedEffect[] = [];
  if (asked.rollup) {
    const notBefore = later(storm ? STORM_ROLLUP_DELAY_MS : ROLLUP_DELAY_MS);
    out.push(effect('incident.signal_rollup', { incidentId: id }, { dedupeKey: rollupKey(id), notBefore }));
  }
  if (asked.summaryNow || asked.summarySoon) {
    const notBefore = asked.summaryNow
      ? pacer?.notBefore(id, now)
      : later(storm ? STORM_SUMMARY_DELAY_MS : SIGNAL_SUMMARY_DELAY_MS);
    out.push(effect('incident.sync_summary', { incidentId: id }, { dedupeKey: summaryKey(id), notBefore }));
  }
  return out;
}
