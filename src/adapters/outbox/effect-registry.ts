import {
  type DeliveryOutcome,
  type EffectKind,
  type EffectPayload,
  isEffectKind,
  parseEffectPayload,
} from '../../app/effects';
import type { DeliverRow, OutboxRow } from './outbox.worker';

/** An outbox row whose payload was checked against its kind's schema. */
export interface DeliveredEffect<K extends EffectKind> {
  id: number;
  orgId: string;
  incidentId: string | null;
  kind: K;
  payload: EffectPayload<K>;
  /** 1 on the first try; above 1 the deliverer must check whether an earlier try already took effect. */
  attempts: number;
}

export type Deliver<K extends EffectKind> = (effect: DeliveredEffect<K>) => Promise<DeliveryOutcome>;

/** One deliverer per effect kind: leaving a kind out (or adding one the table lacks) does not compile. */
export type DelivererRegistry = { [K in EffectKind]: Deliver<K> };

async function deliverKind<K extends EffectKind>(
  registry: DelivererRegistry,
  kind: K,
  row: OutboxRow,
): Promise<DeliveryOutcome> {
  const parsed = parseEffectPayload(kind, row.payload);
  if (!parsed.ok) return { type: 'failed', error: parsed.error };
  const deliver: Deliver<K> = registry[kind];
  return deliver({
    id: row.id,
    orgId: row.org_id,
    incidentId: row.incident_id,
    kind,
    payload: parsed.payload,
    attempts: row.attempts,
  });
}

/** The worker's one delivery function: the row's kind picks its deliverer, with the payload validated. */
export function dispatchEffects(registry: DelivererRegistry): DeliverRow {
  return async (row) => {
    if (!isEffectKind(row.kind)) return { type: 'failed', error: `no handler for effect kind ${row.kind}` };
    return deliverKind(registry, row.kind, row);
  };
}
