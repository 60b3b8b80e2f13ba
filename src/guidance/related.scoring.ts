import type { RelatedIncident } from './guidance.types';

// Words that say nothing about what broke; dropped before full-text search.
const STOPWORDS = new Set(
  (
    'a an and are as at be been but by for from has have in into is it its of on or our so that the their then there these ' +
    'this to was we were will with not no yes can could should would after before during while when where which who why how ' +
    'incident issue problem alert alerts sev1 sev2 sev3 sev4 inc'
  ).split(' '),
);

export const MAX_SEARCH_TERMS = 24;

/** Lowercase word tokens of user text, deduplicated, without stopwords: safe to quote into any FTS syntax. */
export function searchTerms(text: string, max = MAX_SEARCH_TERMS): string[] {
  const out: string[] = [];
  for (const raw of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    const t = raw.slice(0, 40);
    if (t.length < 2 || STOPWORDS.has(t) || out.includes(t)) continue;
    out.push(t);
    if (out.length >= max) break;
  }
  return out;
}

/** Crude stem, only for explaining matches ("timeouts" ~ "timeout"); the databases stem properly. */
const stem = (w: string) => w.replace(/(ing|ed|es|s)$/, '');

export interface RelatedCandidate {
  incidentId: string;
  number: number;
  title: string;
  status: string;
  service: string | null;
  environment: string | null;
  channelId: string | null;
  createdAt: string;
  /** Full-text relevance relative to the best hit, 0–1; 0 when only found by service or signals. */
  textScore: number;
  sharedFingerprints: number;
  sharedCorrelationKeys: string[];
}

export interface RelatedQuery {
  terms: string[];
  service?: string;
  environment?: string;
  now: string | Date;
}

export const RELATED_WEIGHTS = {
  text: 3,
  service: 1.5,
  environment: 0.5,
  fingerprint: 2,
  correlationKey: 2,
  signalsMax: 3,
  recency: 1,
  /** Recency boost halves roughly every three weeks. */
  recencyDays: 30,
} as const;

const DAY_MS = 86_400_000;
const eq = (a: string | null | undefined, b: string | null | undefined) => !!a && !!b && a.toLowerCase() === b.toLowerCase();

function ago(days: number): string {
  if (days < 1) return 'today';
  if (days < 2) return 'yesterday';
  if (days < 60) return `${Math.floor(days)} days ago`;
  return `${Math.floor(days / 30)} months ago`;
}

/** Score and reasons for one candidate; deterministic for a given `now`. */
export function scoreRelated(c: RelatedCandidate, q: RelatedQuery): { score: number; why: string[] } {
  const w = RELATED_WEIGHTS;
  const why: string[] = [];
  let score = 0;

  if (c.textScore > 0) {
    score += w.text * Math.min(1, c.textScore);
    const titleStems = new Set(searchTerms(c.title, 64).map(stem));
    const shared = q.terms.filter((t) => titleStems.has(stem(t)));
    why.push(shared.length ? `similar title (${shared.slice(0, 4).join(', ')})` : 'similar timeline or postmortem text');
  }
  if (eq(c.service, q.service)) {
    score += w.service;
    why.push(`same service (${c.service})`);
    if (eq(c.environment, q.environment)) {
      score += w.environment;
      why.push(`same environment (${c.environment})`);
    }
  }
  let signals = 0;
  if (c.sharedFingerprints > 0) {
    signals += w.fingerprint;
    why.push(c.sharedFingerprints === 1 ? 'same alert fired' : `${c.sharedFingerprints} same alerts fired`);
  }
  if (c.sharedCorrelationKeys.length > 0) {
    signals += w.correlationKey;
    why.push(`same correlation key (${c.sharedCorrelationKeys[0]})`);
  }
  score += Math.min(signals, w.signalsMax);

  const created = Date.parse(c.createdAt);
  const now = typeof q.now === 'string' ? Date.parse(q.now) : q.now.getTime();
  if (Number.isFinite(created) && Number.isFinite(now)) {
    const days = Math.max(0, (now - created) / DAY_MS);
    score += w.recency * Math.exp(-days / w.recencyDays);
    why.push(ago(days));
  }
  return { score: Math.round(score * 1000) / 1000, why };
}

/** Best first; ties go to the newer incident, then the higher number, so output is stable. */
export function rankRelated(candidates: RelatedCandidate[], q: RelatedQuery, limit: number): RelatedIncident[] {
  return candidates
    .map((c) => ({ c, ...scoreRelated(c, q) }))
    .sort((a, b) => b.score - a.score || b.c.createdAt.localeCompare(a.c.createdAt) || b.c.number - a.c.number)
    .slice(0, Math.max(0, limit))
    .map(({ c, score, why }) => ({
      incidentId: c.incidentId,
      number: c.number,
      title: c.title,
      status: c.status,
      service: c.service,
      environment: c.environment,
      channelId: c.channelId,
      createdAt: c.createdAt,
      score,
      why,
    }));
}
