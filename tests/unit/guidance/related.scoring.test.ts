import { describe, expect, it } from 'vitest';
import { toFts5Query, toWebsearchQuery } from '../../../src/adapters/db/search.repo';
import { type RelatedCandidate, rankRelated, scoreRelated, searchTerms } from '../../../src/guidance/related.scoring';

describe('search terms', () => {
  it('keeps words, drops stopwords and punctuation, dedupes', () => {
    expect(searchTerms('The checkout-API is DOWN: 5xx errors on checkout!')).toEqual(['checkout', 'api', 'down', '5xx', 'errors']);
  });

  it('makes FTS5 syntax from hostile input impossible', () => {
    const q = toFts5Query('title:"db" OR NEAR(api web) * -cache ^queue {col} AND NOT "unterminated');
    expect(q).toBe('"title" OR "db" OR "near" OR "api" OR "web" OR "cache" OR "queue" OR "col" OR "unterminated"');
    expect(q).toMatch(/^"[\p{L}\p{N}]+"( OR "[\p{L}\p{N}]+")*$/u);
  });

  it('returns nothing for text without words', () => {
    expect(toFts5Query('"" *** ---')).toBeUndefined();
    expect(toWebsearchQuery('the of and')).toBeUndefined();
    expect(toWebsearchQuery('payments timeout')).toBe('payments or timeout');
  });
});

const base: RelatedCandidate = {
  incidentId: 'a',
  number: 1,
  title: 'Payments timeouts',
  status: 'RESOLVED',
  service: 'payments',
  environment: 'prod',
  channelId: null,
  createdAt: '2026-11-20T00:00:00.000Z',
  textScore: 1,
  sharedFingerprints: 0,
  sharedCorrelationKeys: [],
};
const q = { terms: ['payments', 'timeout'], service: 'payments', environment: 'prod', now: '2026-11-21T00:00:00.000Z' };

describe('scoreRelated', () => {
  it('explains every boost', () => {
    const s = scoreRelated({ ...base, sharedFingerprints: 1, sharedCorrelationKeys: ['k1'] }, q);
    expect(s.why).toEqual(['similar title (payments, timeout)', 'same service (payments)', 'same environment (prod)', 'same alert fired', 'same correlation key (k1)', 'yesterday']);
    expect(s.score).toBeCloseTo(3 + 1.5 + 0.5 + 3 + Math.exp(-1 / 30), 2);
  });

  it('ranks same service above another service, and recent above old', () => {
    const other = { ...base, incidentId: 'b', number: 2, service: 'search' };
    const old = { ...base, incidentId: 'c', number: 3, createdAt: '2025-01-01T00:00:00.000Z' };
    expect(rankRelated([other, old, base], q, 10).map((r) => r.incidentId)).toEqual(['a', 'c', 'b']);
    expect(rankRelated([other, old, base], q, 1)).toHaveLength(1);
  });
});
