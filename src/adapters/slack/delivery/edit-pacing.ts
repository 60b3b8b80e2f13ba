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

export const summaryKey = (incidentId: string) => `summary:${incidentId}`;
export const rollupKey = (incidentId: string) => `rollup:${incidentId}`;

/**
 * The summary and roll-up edits a change asks for. Edits caused by people go out at once; those caused
 * by alerts wait, longer during a storm. Each has a dedupe key: one pending row covers any number of
 * changes, because they render the state when they run.
 */
export function pacedEdits(
  before: IncidentState,
  after: IncidentState,
  now: Date,
  asked: { summaryNow: boolean; summarySoon: boolean; rollup: boolean },
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
    const notBefore = asked.summaryNow ? undefined : later(storm ? STORM_SUMMARY_DELAY_MS : SIGNAL_SUMMARY_DELAY_MS);
    out.push(effect('incident.sync_summary', { incidentId: id }, { dedupeKey: summaryKey(id), notBefore }));
  }
  return out;
}
