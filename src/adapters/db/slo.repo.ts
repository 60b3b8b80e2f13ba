import type { AttachedSignal, IncidentEvent, IncidentState } from '../../incidents/incident.types';
import type { BurnWindow, SloEvaluation, SloStatus, BurnAlert } from '../../slos/slo.types';
import type { DB, Trx } from './schema';
import { insertOnce } from './compile-once';

/** SLO evaluations, the burn alerts firing now, and the SLOViolation read model. */

export interface StoredEvaluation extends SloEvaluation {
  target: number;
}

export async function insertEvaluation(
  db: DB | Trx,
  orgId: string,
  e: SloEvaluation,
  def: { target: number; windowLabel: string },
): Promise<void> {
  const row = {
    org_id: orgId,
    slo: e.slo,
    at: e.at,
    service: e.service,
    status: e.status,
    alert: e.alert,
    target: def.target,
    window_label: def.windowLabel,
    sli: e.sli ?? null,
    budget_remaining: e.budgetRemaining ?? null,
    burn_rates: e.burnRates ? JSON.stringify(e.burnRates) : null,
    reason: e.reason ?? null,
    problem: e.problem ?? null,
  };
  const { org_id: _o, slo: _s, at: _a, ...rest } = row;
  await db
    .insertInto('slo_evaluations')
    .values(row)
    .onConflict((oc) => oc.columns(['org_id', 'slo', 'at']).doUpdateSet(rest))
    .execute();
}

type EvalRow = {
  slo: string;
  at: string;
  service: string;
  status: string;
  alert: string;
  target: number;
  sli: number | null;
  budget_remaining: number | null;
  burn_rates: string | null;
  reason: string | null;
  problem: string | null;
};

const toEvaluation = (r: EvalRow): StoredEvaluation => ({
  slo: r.slo,
  service: r.service,
  at: r.at,
  status: r.status as SloStatus,
  alert: r.alert as BurnAlert,
  target: Number(r.target),
  ...(r.sli !== null ? { sli: Number(r.sli) } : {}),
  ...(r.budget_remaining !== null ? { budgetRemaining: Number(r.budget_remaining) } : {}),
  ...(r.burn_rates ? { burnRates: JSON.parse(r.burn_rates) as Partial<Record<BurnWindow, number>> } : {}),
  ...(r.reason ? { reason: r.reason } : {}),
  ...(r.problem ? { problem: r.problem } : {}),
});

const COLUMNS = [
  'slo',
  'at',
  'service',
  'status',
  'alert',
  'target',
  'sli',
  'budget_remaining',
  'burn_rates',
  'reason',
  'problem',
] as const;

/** Per SLO: the latest evaluation, and the latest one that was not unknown (the last good numbers). */
export async function latestEvaluations(
  db: DB,
  orgId: string,
): Promise<Map<string, { latest: StoredEvaluation; lastGood?: StoredEvaluation }>> {
  const latest = await db
    .selectFrom('slo_evaluations as e')
    .select(COLUMNS.map((c) => `e.${c}` as const))
    .where('e.org_id', '=', orgId)
    .where(({ eb, selectFrom }) =>
      eb(
        'e.at',
        '=',
        selectFrom('slo_evaluations as x')
          .select((x) => x.fn.max('x.at').as('m'))
          .where('x.org_id', '=', orgId)
          .whereRef('x.slo', '=', 'e.slo'),
      ),
    )
    .execute();
  const good = await db
    .selectFrom('slo_evaluations as e')
    .select(COLUMNS.map((c) => `e.${c}` as const))
    .where('e.org_id', '=', orgId)
    .where(({ eb, selectFrom }) =>
      eb(
        'e.at',
        '=',
        selectFrom('slo_evaluations as x')
          .select((x) => x.fn.max('x.at').as('m'))
          .where('x.org_id', '=', orgId)
          .where('x.status', '!=', 'unknown')
          .whereRef('x.slo', '=', 'e.slo'),
      ),
    )
    .execute();
  const out = new Map<string, { latest: StoredEvaluation; lastGood?: StoredEvaluation }>();
  for (const r of latest) out.set(r.slo, { latest: toEvaluation(r) });
  for (const r of good) {
    const entry = out.get(r.slo);
    if (entry) entry.lastGood = toEvaluation(r);
  }
  return out;
}

/** The latest known budget at or before `at` (strictly before when `strict`), else the first after it. */
export async function budgetNear(
  db: DB,
  orgId: string,
  slo: string,
  at: string,
  strict: boolean,
): Promise<{ budget: number; window: string } | undefined> {
  const base = db
    .selectFrom('slo_evaluations')
    .select(['budget_remaining', 'at', 'window_label'])
    .where('org_id', '=', orgId)
    .where('slo', '=', slo)
    .where('budget_remaining', 'is not', null);
  const before = await base
    .where('at', strict ? '<' : '<=', at)
    .orderBy('at', 'desc')
    .limit(1)
    .executeTakeFirst();
  const row = before ?? (await base.where('at', '>=', at).orderBy('at', 'asc').limit(1).executeTakeFirst());
  return row?.budget_remaining === null || row === undefined
    ? undefined
    : { budget: Number(row.budget_remaining), window: row.window_label };
}

/** Evaluations older than this are not needed by any window (the longest is the SLO's, ≤ a few weeks). */
export async function pruneEvaluations(db: DB, before: string): Promise<void> {
  await db.deleteFrom('slo_evaluations').where('at', '<', before).execute();
}

// ---- burn alerts firing now ----

export async function firingAlerts(db: DB, orgId: string): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('slo_alerts')
    .select(['slo', 'level', 'since'])
    .where('org_id', '=', orgId)
    .execute();
  return new Map(rows.map((r) => [`${r.slo}|${r.level}`, r.since]));
}

export async function setAlert(
  db: DB,
  orgId: string,
  slo: string,
  level: string,
  since: string | undefined,
): Promise<void> {
  if (since === undefined) {
    await db
      .deleteFrom('slo_alerts')
      .where('org_id', '=', orgId)
      .where('slo', '=', slo)
      .where('level', '=', level)
      .execute();
    return;
  }
  await db
    .insertInto('slo_alerts')
    .values({ org_id: orgId, slo, level, since })
    .onConflict((oc) => oc.columns(['org_id', 'slo', 'level']).doNothing())
    .execute();
}

// ---- SLOViolation read model ----

/** `slo:<name>:page` — the fingerprint of an SLO's page-level burn signal (slo.signals.ts). */
export const SLO_PAGE_FINGERPRINT = /^slo:(.+):page$/;

export const sloViolationRow = (s: IncidentState, x: AttachedSignal) => {
  const m = x.source === 'slo' ? SLO_PAGE_FINGERPRINT.exec(x.fingerprint) : null;
  if (!m) return undefined;
  return {
    org_id: s.orgId,
    incident_id: s.id,
    fingerprint: x.fingerprint,
    slo: m[1],
    service: x.service,
    started_at: x.attachedAt,
    ended_at: x.status === 'resolved' ? (x.resolvedAt ?? x.lastSeenAt) : null,
  };
};

export const sloViolationRows = (s: IncidentState) =>
  s.signals.map((x) => sloViolationRow(s, x)).filter((r): r is NonNullable<typeof r> => !!r);

const touchesSlo = (e: IncidentEvent) =>
  (e.type === 'SIGNAL_ATTACHED' && e.signal.source === 'slo') ||
  (e.type === 'SIGNAL_RESOLVED' && e.fingerprint.startsWith('slo:'));

/** In the incident transaction: the rows of the incidents whose SLO signals just changed. */
export async function projectSloViolations(
  trx: Trx,
  items: ReadonlyArray<{ state: IncidentState; events: readonly IncidentEvent[] }>,
): Promise<void> {
  const rows = items.filter((x) => x.events.some(touchesSlo)).flatMap((x) => sloViolationRows(x.state));
  if (!rows.length) return;
  await insertOnce(trx, 'slo_violations', rows, (r) =>
    trx
      .insertInto('slo_violations')
      .values(r as never)
      .onConflict((oc) =>
        oc.columns(['incident_id', 'fingerprint']).doUpdateSet((eb) => ({
          started_at: eb.ref('excluded.started_at'),
          ended_at: eb.ref('excluded.ended_at'),
          service: eb.ref('excluded.service'),
        })),
      ),
  );
}

export interface SloViolation {
  slo: string;
  service: string;
  startedAt: string;
  /** Undefined while the burn goes on. */
  endedAt?: string;
  /** Share of the SLO window's budget spent from start to end (or to the latest evaluation); 0.38 = 38 %. */
  budgetBurned?: number;
  /** The SLO's window as written, e.g. 28d (when the SLO is still defined). */
  window?: string;
}

export async function violationsOf(db: DB, orgId: string, incidentId: string) {
  return db
    .selectFrom('slo_violations')
    .select(['slo', 'service', 'started_at', 'ended_at'])
    .where('org_id', '=', orgId)
    .where('incident_id', '=', incidentId)
    .orderBy('started_at')
    .execute();
}

/** Slot claims of the frequent jobs (SLO evaluation, heartbeat checks) are only needed for a short while. */
export async function pruneLeases(db: DB, kind: 'slo_eval' | 'heartbeat_check', before: string): Promise<void> {
  await db.deleteFrom('schedule_leases').where('kind', '=', kind).where('slot', '<', before).execute();
}
