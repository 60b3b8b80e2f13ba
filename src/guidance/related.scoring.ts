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

/**
 * Words every incident's timeline carries (what the bot writes: "declared", "status", "investigating"…):
 * sharing them says nothing, so relatedness ignores them. A person's own search still finds them.
 */
const BOILERPLATE = new Set(
  (
    'declared declare declaring status investigating investigate investigation mitigated mitigating mitigate resolved ' +
    'resolving resolve cancelled canceled cancel open opened opening closed close reopened severity sev commander comms ' +
    'scribe assigned assign role set update updated updates posted post note notes action actions follow followup up ' +
    'channel summary signal signals firing fired automatically auto attached joined changed postmortem draft drafted ' +
    'timeline now by here everyone today yesterday minutes min hours new started'
  ).split(' '),
);
/** Slack ids as they appear in timeline text (`<@U0123ABCD>` → `u0123abcd`). */
const SLACK_ID = /^[uwcg][0-9a-z]*[0-9][0-9a-z]*$/;

/** Search terms that can carry substance for relatedness: no boilerplate, no Slack ids. */
export function relatedTerms(text: string, max = MAX_SEARCH_TERMS): string[] {
  return searchTerms(text, max * 2)
    .filter((t) => !BOILERPLATE.has(t) && !(SLACK_ID.test(t) && t.length >= 5))
    .slice(0, max);
}

/** A term found in more than this share of the org's incidents is common there and weighs nothing. */
export const COMMON_SHARE = 0.5;
/** Below this many indexed incidents, rarity is not judged (every term keeps its weight). */
export const MIN_INDEXED_FOR_COMMON = 4;

/**
 * Inverse document frequency across the org's N indexed incidents, `ln((N + 1) / df)`, scaled by
 * `2 · ln(N + 1)` so that a full text match is 1 at any org size: one term found in only a couple of
 * incidents is about a third of it, two such terms about two thirds; a term found in more than half of
 * the incidents (once there are a few) weighs 0. A term the index does not know yet (df 0) counts as rare.
 */
export function termWeights(total: number, df: ReadonlyMap<string, number>, terms: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of terms) {
    const d = Math.max(1, df.get(t) ?? 0);
    const n = Math.max(total, d, 1);
    const common = total >= MIN_INDEXED_FOR_COMMON && d / total > COMMON_SHARE;
    out[t] = common ? 0 : Math.log((n + 1) / d) / (2 * Math.log(n + 1));
  }
  return out;
}

/** How much text substance (0–1) a candidate's matched terms carry, and those terms rarest first. */
export function rarityShare(matched: readonly string[], weights: Record<string, number>): { share: number; rare: string[] } {
  const hit = [...new Set(matched)].filter((t) => (weights[t] ?? 0) > 0);
  if (hit.length === 0) return { share: 0, rare: [] };
  const sum = hit.reduce((a, t) => a + weights[t], 0);
  return { share: Math.min(1, sum), rare: hit.sort((a, b) => weights[b] - weights[a] || (a < b ? -1 : 1)) };
}

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
  /** Query terms this incident's document contains (relatedness: weighed by `RelatedQuery.termWeights`). */
  matchedTerms?: string[];
}

export interface RelatedQuery {
  terms: string[];
  service?: string;
  environment?: string;
  now: string | Date;
  /**
   * Relatedness (not a person's search): the text score is the summed rarity (IDF, termWeights) of the terms a
   * candidate shares, and a candidate must reach RELATED_MIN_SCORE without the recency boost.
   */
  termWeights?: Record<string, number>;
  /** Services connected to the incident's in the catalog, with the reason ("checkout depends on payments"). */
  neighbours?: ReadonlyArray<{ service: string; reason: string }>;
}

export const RELATED_WEIGHTS = {
  text: 3,
  service: 1.5,
  environment: 0.5,
  fingerprint: 2,
  correlationKey: 2,
  signalsMax: 3,
  dependency: 1,
  recency: 1,
  /** Recency boost halves roughly every three weeks. */
  recencyDays: 30,
} as const;

/**
 * What a related incident must share, recency aside: the same service (1.5), a dependency (1), a shared
 * signal (2), or text worth a third of a full match (3 × ⅓: one rare term, or two less rare ones). Less is
 * not shown.
 */
export const RELATED_MIN_SCORE = 1;

const DAY_MS = 86_400_000;
const eq = (a: string | null | undefined, b: string | null | undefined) => !!a && !!b && a.toLowerCase() === b.toLowerCase();

function ago(days: number): string {
  if (days < 1) return 'today';
  if (days < 2) return 'yesterday';
  if (days < 60) return `${Math.floor(days)} days ago`;
  return `${Math.floor(days / 30)} months ago`;
}

/** Score and reasons for one candidate; deterministic for a given `now`. `substance` is the score without recency. */
export function scoreRelated(c: RelatedCandidate, q: RelatedQuery): { score: number; why: string[]; substance: number } {
  const w = RELATED_WEIGHTS;
  const why: string[] = [];
  let score = 0;

  const text = q.termWeights ? rarityShare(c.matchedTerms ?? [], q.termWeights) : { share: c.textScore, rare: [] };
  if (text.share > 0) {
    score += w.text * Math.min(1, text.share);
    const titleStems = new Set(searchTerms(c.title, 64).map(stem));
    const shared = q.terms.filter((t) => titleStems.has(stem(t)));
    why.push(shared.length ? `similar title (${shared.slice(0, 4).join(', ')})` : 'similar timeline or postmortem text');
    if (text.rare.length) why.push(`rare terms in common (${text.rare.slice(0, 4).join(', ')})`);
  }
  const neighbour = c.service && !eq(c.service, q.service) ? q.neighbours?.find((n) => eq(n.service, c.service)) : undefined;
  if (neighbour) {
    score += w.dependency;
    why.push(neighbour.reason);
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
  const substance = score;

  const created = Date.parse(c.createdAt);
  const now = typeof q.now === 'string' ? Date.parse(q.now) : q.now.getTime();
  if (Number.isFinite(created) && Number.isFinite(now)) {
    const days = Math.max(0, (now - created) / DAY_MS);
    score += w.recency * Math.exp(-days / w.recencyDays);
    why.push(ago(days));
  }
  return { score: Math.round(score * 1000) / 1000, why, substance };
}

/** Best first; ties go to the newer incident, then the higher number, so output is stable. */
export function rankRelated(candidates: RelatedCandidate[], q: RelatedQuery, limit: number): RelatedIncident[] {
  return candidates
    .map((c) => ({ c, ...scoreRelated(c, q) }))
    // Relatedness must share substance; recency alone (or only common words) is not a reason.
    .filter((x) => !q.termWeights || x.substance >= RELATED_MIN_SCORE - 1e-9)
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
