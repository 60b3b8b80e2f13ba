import { describe, expect, it } from 'vitest';
import { buildGuidance } from '../../../src/guidance/guidance.builder';
import {
  GUIDANCE_ADD_ACTION,
  SLACK_LIMITS,
  type SlackBlock,
  decodeGuidanceActionValue,
  encodeGuidanceActionValue,
  generatorLabel,
  guidanceBlocks,
} from '../../../src/adapters/slack/guidance/guidance.blocks';
import type { Guidance, GuidanceView } from '../../../src/guidance/guidance.types';
import { runbookBlocks } from '../../../src/adapters/slack/guidance/runbook.blocks';
import { context, payments, related } from './guidance.fixtures';

function checkLimits(blocks: SlackBlock[]) {
  expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
  for (const b of blocks) {
    if (b.type === 'section') {
      expect(b.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      if (b.accessory) {
        expect(b.accessory.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.buttonText);
        expect(b.accessory.value.length).toBeLessThanOrEqual(SLACK_LIMITS.buttonValue);
      }
    }
    if (b.type === 'header') expect(b.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
  }
}

const view = (g: Guidance, extra: Partial<GuidanceView> = {}): GuidanceView => ({ guidance: g, ...extra });

describe('guidanceBlocks', () => {
  it('shows each action with safety, source and an Add to actions button', () => {
    const { blocks, text } = guidanceBlocks({ incidentId: 'i-42', incidentNumber: 42, view: view(buildGuidance(context())) });
    checkLimits(blocks);
    expect(text).toContain('INC-42');
    const actions = blocks.filter((b): b is Extract<SlackBlock, { type: 'section' }> => b.type === 'section' && !!b.accessory);
    expect(actions.length).toBeGreaterThan(2);
    expect(actions[0].text.text).toContain(':large_yellow_circle: *Caution*');
    expect(actions[0].text.text).toContain('runbook payments › High latency');
    expect(actions[1].text.text).toContain(':red_circle: *Dangerous*');
    expect(actions.some((a) => a.text.text.includes('from INC-12'))).toBe(true);
    expect(actions[0].accessory).toMatchObject({ action_id: GUIDANCE_ADD_ACTION, text: { text: 'Add to actions' } });
    expect(decodeGuidanceActionValue(actions[0].accessory!.value)).toEqual({ incidentId: 'i-42', text: 'Scale the payments deployment to 12 replicas', safety: 'caution' });
    const all = JSON.stringify(blocks);
    expect(all).toContain('Diagnostic questions');
    expect(all).toContain('<#C012> *INC-12*');
  });

  it('says which generator produced it', () => {
    const g = buildGuidance(context());
    expect(generatorLabel(view(g))).toBe('From runbooks and past incidents (no AI configured)');
    expect(generatorLabel(view({ ...g, generator: 'llm' }, { model: 'gpt-x' }))).toBe('Drafted by gpt-x: check before acting');
    expect(generatorLabel(view(g, { model: 'gpt-x', fallbackReason: 'timed out after 15 s' }))).toBe('AI unavailable (timed out after 15 s), showing runbook guidance');
    const { blocks } = guidanceBlocks({ incidentId: 'i', incidentNumber: 1, view: view(g, { fallbackReason: 'model API returned HTTP 500' }) });
    expect(JSON.stringify(blocks[1])).toContain('AI unavailable (model API returned HTTP 500)');
  });

  it('stays within Slack limits with huge guidance', () => {
    const long = 'x'.repeat(5000);
    const g: Guidance = {
      generator: 'llm',
      actions: Array.from({ length: 120 }, (_, i) => ({ text: `<!channel> ${i} "quotes" ${long}`, safety: 'safe' as const, source: { kind: 'model' as const } })),
      questions: Array.from({ length: 40 }, (_, i) => `${i} ${'why '.repeat(300)}?`),
      related: Array.from({ length: 30 }, (_, i) => ({ ...related[0], number: i, title: long })),
    };
    const { blocks } = guidanceBlocks({ incidentId: 'i-1', incidentNumber: 1, view: view(g, { model: 'm'.repeat(4000) }) });
    checkLimits(blocks);
    const all = JSON.stringify(blocks);
    expect(all).toContain('more not shown');
    // Questions and related incidents are capped so the actions keep most of the message.
    expect(blocks.filter((b) => b.type === 'section' && b.accessory).length).toBeGreaterThanOrEqual(35);
    expect(all).toContain('Related incidents');
    // Rendered text is escaped (button values are data, never rendered).
    const rendered = blocks.map((b) => (b.type === 'section' ? b.text.text : '')).join('\n');
    expect(rendered).not.toContain('<!channel>');
    expect(rendered).toContain('&lt;!channel&gt;');
  });

  it('says so when there is nothing to suggest', () => {
    const g: Guidance = { generator: 'deterministic', actions: [], questions: [], related: [] };
    const { blocks } = guidanceBlocks({ incidentId: 'i', incidentNumber: 3, view: view(g) });
    expect(JSON.stringify(blocks)).toContain('No runbook steps or past actions match yet');
    checkLimits(blocks);
  });
});

describe('guidance action value', () => {
  it('round-trips and rejects tampering', () => {
    const v = encodeGuidanceActionValue({ incidentId: 'abc', text: 'Restart "api" \\ now', safety: 'dangerous' });
    expect(decodeGuidanceActionValue(v)).toEqual({ incidentId: 'abc', text: 'Restart "api" \\ now', safety: 'dangerous' });
    expect(decodeGuidanceActionValue('not json')).toBeUndefined();
    expect(decodeGuidanceActionValue(JSON.stringify({ v: 1, i: 'abc', s: 'yolo', t: 'x' }))).toBeUndefined();
    expect(decodeGuidanceActionValue(JSON.stringify({ v: 1, i: 'abc', s: 'safe', t: '   ' }))).toBeUndefined();
    expect(decodeGuidanceActionValue(JSON.stringify({ v: 2, i: 'abc', s: 'safe', t: 'x' }))).toBeUndefined();
  });

  it('fits the 2000-character value limit even with escaping-heavy text', () => {
    const v = encodeGuidanceActionValue({ incidentId: 'abc', text: '"\\'.repeat(3000), safety: 'safe' });
    expect(v.length).toBeLessThanOrEqual(2000);
    expect(decodeGuidanceActionValue(v)?.incidentId).toBe('abc');
  });
});

describe('runbookBlocks', () => {
  it('shows sections with tagged steps', () => {
    const { blocks } = runbookBlocks({ service: 'payments', source: 'file', runbook: payments }, 'payments');
    checkLimits(blocks);
    const all = JSON.stringify(blocks);
    expect(all).toContain('Runbook: Payments API runbook');
    expect(all).toContain(':red_circle: *Dangerous* Fail over the primary database');
  });

  it('explains when there is none', () => {
    const { blocks } = runbookBlocks(undefined, 'billing');
    expect(JSON.stringify(blocks)).toContain('No runbook for *billing*');
  });

  it('links a DB runbook URL safely', () => {
    const { blocks } = runbookBlocks({ service: 'payments', source: 'db', url: 'https://wiki.example/x|y', updatedBy: 'U1' }, 'payments');
    expect(JSON.stringify(blocks)).toContain('<https://wiki.example/x%7Cy|open full runbook>');
  });
});
