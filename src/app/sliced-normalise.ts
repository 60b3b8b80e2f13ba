import { DomainError, isDomainError } from '../shared/domain-error';
import { yieldToLoop } from '../shared/yield-to-loop';
import { type ConnectorKind, normalise } from '../signals/normalisers';
import type { NormaliseContext, NormaliseResult } from '../signals/signal.types';

/**
 * Alerts normalised per slice. Validating one alert costs ~0.1 ms, so a 1 MiB body (~18,700 alerts)
 * normalised in one go held the event loop for seconds; in slices, with a turn of the loop between
 * them, health checks and slash commands are answered meanwhile.
 */
export const NORMALISE_SLICE = 500;

/** The body cut into smaller bodies of the same kind, each with the index of its first alert. */
function slices(kind: ConnectorKind, body: unknown): Array<{ body: unknown; offset: number }> | undefined {
  if (kind === 'generic' && Array.isArray(body) && body.length > NORMALISE_SLICE) {
    return range(body.length).map((offset) => ({ body: body.slice(offset, offset + NORMALISE_SLICE), offset }));
  }
  const alerts = (body as { alerts?: unknown } | null)?.alerts;
  if ((kind === 'alertmanager' || kind === 'grafana') && Array.isArray(alerts) && alerts.length > NORMALISE_SLICE) {
    // The envelope (group labels, truncation count…) goes with every slice; its warnings are de-duplicated.
    return range(alerts.length).map((offset) => ({
      body: { ...(body as object), alerts: alerts.slice(offset, offset + NORMALISE_SLICE) },
      offset,
    }));
  }
  return undefined;
}

const range = (n: number) => Array.from({ length: Math.ceil(n / NORMALISE_SLICE) }, (_, i) => i * NORMALISE_SLICE);

/** A slice's messages name alerts by their index in the slice: name them by their index in the request. */
const shift = (text: string, offset: number) =>
  text
    .replace(
      /(^|[\s(;]|alerts|signals)\[(\d+)\]/g,
      (_, before: string, i: string) => `${before}[${Number(i) + offset}]`,
    )
    .replace(/\bsignal (\d+)\b/g, (_, i: string) => `signal ${Number(i) + offset}`);

/** `normalise`, sliced when the body is large; the same signals, warnings and errors. */
export async function normaliseInSlices(
  kind: ConnectorKind,
  body: unknown,
  ctx: NormaliseContext,
): Promise<NormaliseResult> {
  const parts = slices(kind, body);
  if (!parts) return normalise(kind, body, ctx);
  const signals: NormaliseResult['signals'] = [];
  const warnings = new Set<string>();
  for (const part of parts) {
    if (part.offset > 0) await yieldToLoop();
    let r: NormaliseResult;
    try {
      r = normalise(kind, part.body, ctx);
    } catch (e) {
      // The first slice with a problem answers for the request (its problems, numbered as sent).
      if (isDomainError(e) && e.code === 'invalid_input')
        throw new DomainError('invalid_input', shift(e.reason, part.offset));
      throw e;
    }
    for (const s of r.signals) signals.push(s);
    for (const w of r.warnings) warnings.add(shift(w, part.offset));
  }
  return { signals, warnings: [...warnings] };
}
