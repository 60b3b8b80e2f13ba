import { describe, expect, it } from 'vitest';
import { blockIssues } from '../../src/adapters/slack-fake/slack-fake.validate';
import { IDS } from '../../src/adapters/slack/ids';
import { generatorNote, markdownSection, postmortemPreview, resolvedBlocks, toMrkdwn } from '../../src/adapters/slack/postmortems/postmortem.blocks';
import { draftPostmortem } from '../../src/postmortems/postmortem.markdown';
import { fixtureInput } from '../helpers/postmortem.fixture';

describe('postmortem preview blocks', () => {
  it('names who wrote the draft', () => {
    expect(generatorNote({ generator: 'llm', model: 'gpt-4o-mini' })).toMatch(/Drafted by gpt-4o-mini/);
    expect(generatorNote({ generator: 'deterministic' })).toMatch(/Deterministic draft \(no AI configured\)/);
    expect(generatorNote({ generator: 'deterministic', fallback: 'timeout' })).toMatch(/AI unavailable \(timed out\), deterministic draft/);
    expect(generatorNote({ generator: 'deterministic', fallback: 'something_new' })).toMatch(/AI unavailable \(something_new\)/);
    // Events written before `generator` existed: a model means the model wrote it.
    expect(generatorNote({ model: 'gpt-4o-mini' })).toMatch(/Drafted by gpt-4o-mini/);
  });

  it('turns the draft’s Markdown into Slack mrkdwn, escaping control characters', () => {
    expect(toMrkdwn('- **Start:** p99 < 5 ms & [runbook](https://x.test/a?b=1)')).toBe('• *Start:* p99 &lt; 5 ms &amp; <https://x.test/a?b=1|runbook>');
  });

  it('shows summary and impact facts without the fill-in prompts, and three buttons carrying the version', () => {
    const markdown = draftPostmortem(fixtureInput());
    const p = postmortemPreview({ incident: { number: 42, title: 'Checkout errors after deploy' }, draft: { version: 3, markdown }, origin: { generator: 'deterministic' } });
    const text = JSON.stringify(p.blocks);
    expect(text).toContain('*Time to mitigate:* 47m');
    expect(text).toContain('*Time to resolve:* 1h 05m');
    expect(text).not.toContain('To fill in');
    expect(text).toContain('prompts left for the team to fill in');
    const actions = p.blocks.find((b) => b.type === 'actions') as { elements: Array<{ action_id: string; value: string }> };
    expect(actions.elements.map((e) => [e.action_id, e.value])).toEqual([
      [IDS.postmortemCreatePr, '3'],
      [IDS.postmortemRegenerate, '3'],
      [IDS.postmortemDownload, '3'],
    ]);
    expect(blockIssues(p.blocks, 'message')).toEqual([]);
  });

  it('stays inside Slack’s limits for huge titles and narratives', () => {
    const huge = 'word '.repeat(2000);
    const markdown = draftPostmortem(fixtureInput({ narrative: { summary: huge, rootCause: huge } }));
    const p = postmortemPreview({ incident: { number: 7, title: 'T'.repeat(400), prUrl: 'https://github.test/acme/ops/pull/9' }, draft: { version: 1, markdown }, origin: { generator: 'llm', model: 'm'.repeat(500) } });
    expect(blockIssues(p.blocks, 'message')).toEqual([]);
    for (const b of p.blocks as Array<{ type: string; text?: { text: string } }>) {
      if (b.type === 'header') expect(b.text!.text.length).toBeLessThanOrEqual(150);
      if (b.type === 'section') expect(b.text!.text.length).toBeLessThanOrEqual(3000);
    }
    expect(p.text.length).toBeLessThan(4000);
  });

  it('reads a section up to the next heading', () => {
    expect(markdownSection('# T\n\n## Summary\n\nA\nB\n\n## Impact\n\nC', 'Summary')).toBe('A\nB');
    expect(markdownSection('## Impact\n\nC', 'Summary')).toBe('');
  });

  it('offers a Draft postmortem button in the resolved status message', () => {
    const blocks = resolvedBlocks('Status: mitigated → *resolved* by <@U1>', 12);
    const text = JSON.stringify(blocks);
    expect(text).toContain('Status: mitigated → *resolved* by <@U1>');
    expect(text).toContain('INC-12 is resolved. Draft a blameless postmortem from its timeline?');
    expect(text).toContain(`"action_id":"${IDS.postmortemDraft}"`);
    expect(blockIssues(blocks, 'message')).toEqual([]);
    expect(blockIssues(resolvedBlocks(`Status: x\n>${'y'.repeat(3000)}`, 1), 'message')).toEqual([]);
  });
});
