import { DomainError } from '../../shared/domain-error';
import { SignalSchema, type NormaliseContext, type NormaliseResult } from '../signal.types';
import { normaliseAlertmanager } from './alertmanager.normaliser';
import { normaliseDatadog } from './datadog.normaliser';
import { normaliseGeneric } from './generic.normaliser';
import { normaliseGrafana } from './grafana.normaliser';
import { capSignal, invalidInput } from './normaliser.helpers';
import { surelyValidSignal } from '../signal.check';

export const CONNECTOR_KINDS = ['alertmanager', 'grafana', 'datadog', 'generic'] as const;
export type ConnectorKind = (typeof CONNECTOR_KINDS)[number];

const NORMALISERS: Record<ConnectorKind, (body: unknown, ctx: NormaliseContext) => NormaliseResult> = {
  alertmanager: normaliseAlertmanager,
  grafana: normaliseGrafana,
  datadog: normaliseDatadog,
  generic: normaliseGeneric,
};

export const isConnectorKind = (s: string): s is ConnectorKind => (CONNECTOR_KINDS as readonly string[]).includes(s);

/**
 * One sender's parsed JSON body → normalised signals, plus warnings worth logging (truncated
 * groups, skipped metric values, fallbacks taken). Pure: no I/O, no clock.
 * Throws DomainError('invalid_input') listing every problem as "path: message; …".
 */
export function normalise(kind: ConnectorKind, body: unknown, ctx: NormaliseContext): NormaliseResult {
  const normaliser = isConnectorKind(kind) ? NORMALISERS[kind] : undefined;
  if (!normaliser)
    throw new DomainError(
      'invalid_input',
      `unknown connector kind "${String(kind)}"; expected one of ${CONNECTOR_KINDS.join(', ')}`,
    );
  if (typeof ctx?.orgId !== 'string' || ctx.orgId.trim() === '') {
    throw new DomainError('invalid_input', 'orgId is required: it comes from the connector, never from the body');
  }
  const parsed = normaliser(body, ctx);
  const warnings = [...parsed.warnings];
  const result = { signals: parsed.signals.map((s, i) => capSignal(s, `signal ${i}`, warnings)), warnings };

  // Backstop for the contract: whatever a sender sent, what leaves here is a valid Signal.
  const issues = result.signals.flatMap((signal, i) => {
    if (surelyValidSignal(signal)) return [];
    const r = SignalSchema.safeParse(signal);
    return r.success
      ? []
      : r.error.issues.map((issue) => ({ path: ['signals', i, ...issue.path], message: issue.message }));
  });
  if (issues.length) throw invalidInput(kind, issues);
  return result;
}

export { DATADOG_PAYLOAD_TEMPLATE } from './datadog.normaliser';
