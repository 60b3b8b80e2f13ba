import { describe, expect, it } from 'vitest';
import { MODAL_MARKDOWN_MAX, modalService, runbookModal } from '../../../src/adapters/slack/guidance/runbook.modal';
import type { RelatedIncident } from '../../../src/guidance/guidance.types';
import { searchResultBlocks } from '../../../src/adapters/slack/guidance/search.blocks';

const hit = (n: number, title: string, status = 'RESOLVED'): RelatedIncident => ({
  incidentId: `id-${n}`,
  number: n,
  title,
  status,
  service: 'checkout',
  environment: null,
  channelId: `C${n}`,
  createdAt: '2026-11-01T00:00:00.000Z',
  score: 1,
  why: ['similar title (checkout)', '20 days ago'],
});

describe('search result blocks', () => {
  it('lists matches in the given order with why they matched, escaping user and incident text', () => {
    const r = searchResultBlocks('checkout <!channel>', 'all', [hit(7, 'Checkout <b>down</b>'), hit(3, 'Checkout slow', 'OPEN')]);
    const text = (r.blocks[0] as { text: { text: string } }).text.text;
    expect(text.indexOf('INC-7')).toBeLessThan(text.indexOf('INC-3'));
    expect(text).toContain('similar title (checkout)');
    expect(text).toContain('<#C7>');
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('Checkout &lt;b&gt;down&lt;/b&gt;');
    expect(r.text).toContain('INC-7, INC-3');
  });

  it('says so when nothing matches, suggesting `list all` for open-only searches', () => {
    expect(JSON.stringify(searchResultBlocks('nothing', 'open', []).blocks)).toContain('Try `list all');
    expect(JSON.stringify(searchResultBlocks('nothing', 'all', []).blocks)).not.toContain('Try `list all');
  });
});

describe('runbook edit modal', () => {
  it('prefills markdown that fits the input, and round-trips the service', () => {
    const m = runbookModal({ service: 'checkout', markdown: '# Checkout', url: 'https://wiki.example.com/c' });
    expect(JSON.stringify(m.blocks)).toContain('"initial_value":"# Checkout"');
    expect(modalService(m.private_metadata)).toBe('checkout');
    expect(modalService('not json')).toBeUndefined();
  });

  it('leaves a runbook longer than the input out, and says that saving replaces it', () => {
    const m = runbookModal({ service: 'checkout', markdown: 'x'.repeat(MODAL_MARKDOWN_MAX + 1) });
    expect(JSON.stringify(m.blocks)).not.toContain('initial_value');
    expect(JSON.stringify(m.blocks)).toContain('saving replaces it');
  });
});
