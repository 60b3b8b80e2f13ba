import type { Signal } from '../signals/signal.types';
import { percent } from './burn-rate';
import type { SloDefinition, SloEvaluation } from './slo.types';

/**
 * SLO burn alerts as signals, so they go through the same pipeline as any alert (watchlist, correlation,
 * auto-declare). One stable fingerprint per SLO and level (`slo:<name>:page`, `slo:<name>:ticket`), as
 * Sloth/Pyrra keep two alerts: a page that stops is resolved even while the slower ticket burn goes on.
 * The org is part of every key the pipeline stores, so the name alone is unique within it.
 */

export type SloLevel = 'page' | 'ticket';
export const SLO_SOURCE = 'slo';

export const sloFingerprint = (slo: string, level: SloLevel) => `slo:${slo}:${level}`;

export interface SloSignalInput {
  orgId: string;
  def: SloDefinition;
  level: SloLevel;
  status: 'firing' | 'resolved';
  /** When this burn episode started (the dedup key's startsAt: a repeat evaluation is a repeat). */
  since: string;
  /** When it stopped (resolved only). */
  endedAt?: string;
  evaluation?: SloEvaluation;
}

export function sloSignal(i: SloSignalInput): Signal {
  const label = i.def.displayName ?? i.def.name;
  const e = i.evaluation;
  const budget =
    e?.budgetRemaining !== undefined
      ? `, ${percent(Math.max(0, e.budgetRemaining))} of the ${i.def.windowLabel} budget left`
      : '';
  const title =
    i.status === 'resolved'
      ? `SLO ${label}: burn stopped`
      : `SLO ${label}: ${i.level === 'page' ? 'fast' : 'slow'} error-budget burn (${i.level})`;
  return {
    orgId: i.orgId,
    serviceName: i.def.service,
    environment: i.def.environment,
    status: i.status,
    source: SLO_SOURCE,
    title: title.slice(0, 150),
    // critical → BREACHED (SEV2 when it declares), warning → AT_RISK: risk.evaluator's words.
    severity: i.level === 'page' ? 'critical' : 'warning',
    startsAt: i.since,
    ...(i.endedAt ? { endsAt: i.endedAt } : {}),
    fingerprint: sloFingerprint(i.def.name, i.level),
    logs: e?.reason
      ? [
          {
            level: i.level === 'page' ? 'error' : 'warn',
            message: `${e.reason}${budget}`.slice(0, 1000),
            timestamp: e.at,
          },
        ]
      : undefined,
    raw: { slo: i.def.name, level: i.level, target: i.def.target, window: i.def.windowLabel, evaluation: e ?? null },
  };
}
