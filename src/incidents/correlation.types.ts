/*
 * Why a signal joined (or opened) an incident, recorded on SIGNAL_ATTACHED so the log alone explains it.
 * Optional everywhere: events written before explainable correlation carry none.
 */

export const CORRELATION_RULES = [
  'fingerprint',
  'correlation_key',
  'trace_id',
  'service_window',
  'topology',
  'auto_declare',
  'storm',
] as const;
export type CorrelationRule = (typeof CORRELATION_RULES)[number];

export interface CorrelationEvidence {
  rule: CorrelationRule;
  /** One line for people: "checkout depends on payments", "same trace id 4bf92f…". */
  reason: string;
  /** The facts the rule matched on (only those that apply). */
  evidence: {
    fingerprint?: string;
    correlationKey?: string;
    traceId?: string;
    service?: string;
    environment?: string;
    /** The incident's service the signal was matched against (topology, service_window). */
    incidentService?: string;
    /** Dependency chain in dependency order, `path[0]` depends on `path[1]`… (topology). */
    path?: string[];
    depth?: number;
    /** The window the rule allows and how long before the signal the incident was last active. */
    windowMs?: number;
    sinceLastActivityMs?: number;
    /** Risk level and reasons (auto_declare, storm). */
    risk?: 'AT_RISK' | 'BREACHED' | 'CLEARED';
    reasons?: string[];
    /** Default severity from the catalog's `revenant/tier` (auto_declare). */
    tier?: number;
  };
}
