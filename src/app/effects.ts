import type { IncidentEvent, IncidentState } from '../incidents/incident.types';

/**
 * A side effect to deliver after commit (Slack, GitHub…). Planned from events by an adapter,
 * stored in the outbox in the same transaction, delivered by the outbox worker.
 */
export interface PlannedEffect {
  kind: string;
  payload: Record<string, unknown>;
  /** While one with this key is pending, more requests fold into it (e.g. summary edits). */
  dedupeKey?: string;
  /** Deliver no earlier than this (ISO); used to pace summary edits during storms. */
  notBefore?: string;
}

export type EffectPlanner = (before: IncidentState, after: IncidentState, events: IncidentEvent[], now: Date) => PlannedEffect[];

export const noEffects: EffectPlanner = () => [];
