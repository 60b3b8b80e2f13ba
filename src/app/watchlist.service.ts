import { canClearWatchEntry, canDeclare, canView, requirePermission } from '../incidents/incident.permissions';
import type { Actor, Severity } from '../incidents/incident.types';
import { DomainError } from '../shared/domain-error';
import { truncate } from '../shared/text';
import { DEFAULT_MAX_ENTRIES } from '../watchlist/digest.blocks';
import { decodeEntryRef, type EntryRef, type WatchEntry } from '../watchlist/digest.types';
import { type DigestDefaults, digestSettingsOf } from '../adapters/db/digest.repo';
import { clearWatchEntry, findWatchEntry, loadWatchlist } from '../adapters/db/watchlist.repo';
import type { DB } from '../adapters/db/schema';

/** The watchlist: services at risk or breached, as the digest, App Home and `/incident watchlist` show them. */
export interface WatchlistDeps {
  db: DB;
  defaults: DigestDefaults;
  now: () => Date;
}

export interface WatchlistView {
  entries: WatchEntry[];
  totals: { breached: number; atRisk: number };
  /** The digest's time zone (settings or DIGEST_TIMEZONE). */
  timeZone: string;
}

/** The top of the watchlist (worst first) and the totals of the whole list. */
export async function listWatchlist(
  deps: WatchlistDeps,
  input: { orgId: string; actor: Actor; limit?: number },
): Promise<WatchlistView> {
  requirePermission(canView(input.actor));
  const [s, list] = await Promise.all([
    digestSettingsOf(deps.db, input.orgId, deps.defaults),
    loadWatchlist(deps.db, input.orgId, input.limit ?? DEFAULT_MAX_ENTRIES),
  ]);
  return { ...list, timeZone: s.timezone };
}

/** Which entry a button points at; the workspace always comes from the caller, never from the value. */
export function entryRefOf(value: string | undefined): EntryRef {
  const ref = decodeEntryRef(value);
  if (!ref) throw new DomainError('invalid_input', 'That button does not point at a watchlist entry.');
  return ref;
}

export type ClearResult = { outcome: 'cleared' | 'already_clear' | 'not_found' } & EntryRef;

/** Take an entry off the watchlist by hand (a new alert puts it back); the history keeps who and when. */
export async function clearEntry(
  deps: WatchlistDeps,
  input: { orgId: string; actor: Actor; ref: EntryRef },
): Promise<ClearResult> {
  requirePermission(canClearWatchEntry(input.actor));
  const { service, environment } = input.ref;
  const outcome = await clearWatchEntry(deps.db, {
    orgId: input.orgId,
    service,
    environment,
    actor: input.actor.id,
    now: deps.now(),
  });
  return { outcome, service, environment };
}

/** What the declare form is filled in with; submitting it declares through the incident service. */
export interface DeclareDraft {
  title: string;
  severity: Severity;
  service: string;
  description: string;
}

type StoredEntry = {
  service: string;
  environment: string;
  status: string;
  risk_score: number;
  title: string;
  logs: string;
  first_detected_at: string;
};

export function draftFromEntry(entry: StoredEntry): DeclareDraft {
  let logs: Array<{ level?: string; message?: string; timestamp?: string }> = [];
  try {
    const parsed: unknown = JSON.parse(entry.logs);
    if (Array.isArray(parsed)) logs = parsed;
  } catch {
    /* no log lines */
  }
  const lines = logs
    .slice(0, 5)
    .map((l) => `${l.timestamp ?? ''} ${(l.level ?? '').toUpperCase()} ${l.message ?? ''}`.trim());
  const state = entry.status === 'BREACHED' ? 'breached' : 'at risk';
  const description = [
    `From the watchlist: ${entry.service} (${entry.environment}) ${state}, ` +
      `risk ${entry.risk_score.toFixed(2)}, since ${entry.first_detected_at}.`,
    ...(lines.length ? ['Latest logs:', ...lines] : []),
  ].join('\n');
  return {
    title: truncate(entry.title, 150),
    severity: entry.status === 'BREACHED' ? 'SEV2' : 'SEV3',
    service: truncate(entry.service, 150),
    description: truncate(description, 2900),
  };
}

/** The digest's Declare button: a draft from the entry, for someone who may declare. */
export async function declareDraftFromEntry(
  deps: WatchlistDeps,
  input: { orgId: string; actor: Actor; ref: EntryRef },
): Promise<DeclareDraft> {
  requirePermission(canDeclare(input.actor));
  const { service, environment } = input.ref;
  const entry = await findWatchEntry(deps.db, input.orgId, service, environment);
  if (!entry || entry.status === 'CLEARED')
    throw new DomainError('not_found', `${service} (${environment}) is no longer on the watchlist.`);
  return draftFromEntry(entry);
}
