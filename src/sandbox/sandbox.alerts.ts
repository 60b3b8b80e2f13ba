import { createConnector, findConnector, tokenMatches } from '../adapters/db/connector.repo';
import type { DB } from '../adapters/db/schema';
import { type AlertKind, type AlertPhase, ALERT_SCENARIOS, findScenario } from './sample-alerts';

/** One connector per sample sender, bound to the sandbox workspace. The token is kept so restarts reuse it. */
export type SandboxConnectors = Partial<Record<AlertKind, { id: string; token: string }>>;

/**
 * Reuses the connectors saved from an earlier run when they still exist and the token still matches;
 * creates the missing ones through the product's own `createConnector`.
 */
export async function ensureConnectors(db: DB, orgId: string, saved: SandboxConnectors, now: Date): Promise<SandboxConnectors> {
  const out: SandboxConnectors = {};
  const kinds = [...new Set(ALERT_SCENARIOS.map((s) => s.kind))];
  for (const kind of kinds) {
    const prev = saved[kind];
    const row = prev ? await findConnector(db, prev.id) : undefined;
    if (prev && row && !row.revokedAt && row.orgId === orgId && tokenMatches(prev.token, row.tokenHash)) {
      out[kind] = prev;
      continue;
    }
    out[kind] = await createConnector(db, { orgId, kind, name: `sandbox ${kind}`, createdBy: 'sandbox', now });
  }
  return out;
}

export interface FireResult {
  status: number;
  body: unknown;
  expect: string;
}

/**
 * Fires sample notifications at the bot's own webhook route, exactly as the sender would (Bearer token,
 * JSON body). Remembers when each alert started so a repeat is a repeat and a resolve matches its firing.
 */
export class SandboxAlerts {
  private readonly started = new Map<string, Date>();

  constructor(
    private readonly botUrl: () => string,
    readonly connectors: SandboxConnectors,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async fire(scenarioId: string, phase: AlertPhase): Promise<FireResult> {
    const scenario = findScenario(scenarioId);
    if (!scenario) return { status: 404, body: { error: `no sample alert ${scenarioId}` }, expect: '' };
    const connector = this.connectors[scenario.kind];
    if (!connector) return { status: 503, body: { error: `no ${scenario.kind} connector in the sandbox` }, expect: '' };
    const now = this.now();
    const startedAt = this.started.get(scenario.id) ?? now;
    if (phase === 'firing') this.started.set(scenario.id, startedAt);
    else this.started.delete(scenario.id);
    const payload = scenario.build(phase, startedAt, now);
    const res = await fetch(`${this.botUrl()}/connectors/${encodeURIComponent(connector.id)}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${connector.token}`, 'user-agent': `revenant-sandbox (${scenario.kind})` },
      body: JSON.stringify(payload),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body, expect: phase === 'firing' ? scenario.expect : 'CLEARED: the signal resolves; the watchlist entry clears.' };
  }
}
