import { describe, expect, it } from 'vitest';
import {
  type RelatedCandidate,
  RELATED_MIN_SCORE,
  rankRelated,
  rarityShare,
  relatedTerms,
  scoreRelated,
  termWeights,
} from '../../../src/guidance/related.scoring';

const NOW = '2026-12-02T08:00:00.000Z';
const candidate = (over: Partial<RelatedCandidate> & { incidentId: string }): RelatedCandidate => ({
  number: 1,
  title: 'Something',
  status: 'RESOLVED',
  service: null,
  environment: null,
  channelId: null,
  createdAt: '2026-12-01T08:00:00.000Z',
  textScore: 0,
  sharedFingerprints: 0,
  sharedCorrelationKeys: [],
  matchedTerms: [],
  ...over,
});

describe('relatedness shares substance', () => {
  it('drops what every timeline says and Slack ids, keeps the words about what broke', () => {
    expect(
      relatedTerms('Declared INC-4: status investigating → mitigated by <@U0123ABCD>; kafka rebalance storm on orders'),
    ).toEqual(['kafka', 'rebalance', 'storm', 'orders']);
    expect(relatedTerms('status update: investigating, commander assigned')).toEqual([]);
  });

  it('weighs terms by rarity across the org; a term in most incidents weighs nothing', () => {
    const df = new Map([
      ['checkout', 9],
      ['kafka', 2],
      ['latency', 4],
    ]);
    const w = termWeights(10, df, ['checkout', 'kafka', 'latency', 'unseen']);
    const scale = 2 * Math.log(11);
    expect(w.checkout).toBe(0);
    expect(w.kafka).toBeCloseTo(Math.log(11 / 2) / scale, 6);
    expect(w.latency).toBeCloseTo(Math.log(11 / 4) / scale, 6);
    expect(w.unseen).toBeCloseTo(0.5, 6); // not indexed yet: as rare as can be
    // One rare term is a third of a full match or more; one middling term is not; two of them are.
    expect(w.kafka).toBeGreaterThan(1 / 3);
    expect(w.latency).toBeLessThan(1 / 3);
    expect(rarityShare(['kafka', 'checkout'], w)).toEqual({ share: w.kafka, rare: ['kafka'] });
    expect(rarityShare(['checkout'], w)).toEqual({ share: 0, rare: [] });
    expect(rarityShare(['kafka', 'latency', 'unseen'], w).share).toBe(1);
    // Too few incidents to call anything common.
    expect(termWeights(2, new Map([['x', 2]]), ['x']).x).toBeGreaterThan(0);
  });

  it('requires a minimum score without recency: common words alone are not a match', () => {
    const termWeightsQ = termWeights(
      10,
      new Map([
        ['checkout', 9],
        ['kafka', 2],
        ['orders', 5],
      ]),
      ['checkout', 'kafka', 'orders'],
    );
    const q = {
      terms: ['checkout', 'kafka', 'orders'],
      service: 'orders',
      environment: 'prod',
      now: NOW,
      termWeights: termWeightsQ,
    };
    const commonOnly = candidate({ incidentId: 'common', matchedTerms: ['checkout'], createdAt: NOW });
    const rare = candidate({ incidentId: 'rare', matchedTerms: ['kafka'], title: 'Kafka rebalance' });
    const sameService = candidate({ incidentId: 'svc', service: 'orders' });
    const sharedAlert = candidate({ incidentId: 'alert', sharedFingerprints: 1 });
    const ranked = rankRelated([commonOnly, rare, sameService, sharedAlert], q, 10);
    expect(ranked.map((r) => r.incidentId).sort()).toEqual(['alert', 'rare', 'svc']);
    expect(scoreRelated(commonOnly, q).substance).toBeLessThan(RELATED_MIN_SCORE);
    expect(ranked.find((r) => r.incidentId === 'rare')!.why).toEqual([
      'similar title (kafka)',
      'rare terms in common (kafka)',
      'yesterday',
    ]);
  });

  it('a dependency counts, with the reason', () => {
    const q = {
      terms: [],
      service: 'checkout',
      now: NOW,
      termWeights: {},
      neighbours: [{ service: 'payments', reason: 'checkout depends on payments' }],
    };
    const r = rankRelated(
      [candidate({ incidentId: 'pay', service: 'payments' }), candidate({ incidentId: 'other', service: 'search' })],
      q,
      10,
    );
    expect(r.map((x) => x.incidentId)).toEqual(['pay']);
    expect(r[0].why).toContain('checkout depends on payments');
  });

  it("a person's search (no term weights) ranks as before, without the minimum", () => {
    const r = rankRelated([candidate({ incidentId: 'weak', textScore: 0.1 })], { terms: ['x'], now: NOW }, 10);
    expect(r.map((x) => x.incidentId)).toEqual(['weak']);
  });
});
