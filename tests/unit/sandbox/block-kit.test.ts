import { describe, expect, it } from 'vitest';
import { summaryBlocks } from '../../../src/adapters/slack/summary.blocks';
import { actionMessage, declareModal } from '../../../src/adapters/slack/incident.blocks';
import { blocksToHtml, type Directory } from '../../../src/sandbox/block-kit.html';
import type { RenderContext } from '../../../src/sandbox/mrkdwn.html';
import { viewStateValues } from '../../../src/sandbox/modal.state';

const ctx: RenderContext = { userName: (id) => id, channelName: () => undefined, tz: 'UTC', now: new Date('2026-11-21T12:00:00Z') };
const dir: Directory = { users: [{ text: 'Alice Adams', value: 'U1' }], channels: [{ text: '#general', value: 'C1' }] };

describe('Block Kit → HTML', () => {
  it("renders the bot's own pinned summary: header, fields and context", () => {
    const inc = { number: 7, title: 'Checkout <slow>', severity: 'SEV2', status: 'MITIGATED', commander_id: 'U1', comms_id: null, scribe_id: null, created_at: '2026-11-21T10:00:00.000Z', updated_at: '2026-11-21T11:00:00.000Z', service: null, environment: null, signal_count: 0, open_signal_count: 0, description: null, last_update_at: null, last_update_text: null, action_count: 2, open_action_count: 1, note_count: 3, postmortem_pr_url: null };
    const out = blocksToHtml(summaryBlocks(inc as never).blocks, ctx, dir);
    expect(out).toContain('<div class="bk-header">INC-7: Checkout &lt;slow&gt;</div>');
    expect(out).toContain('<div class="bk-field"><b>Status</b><br>🩹 Mitigated</div>');
    expect(out).toMatch(/<div class="bk-context"><span>1\/2 follow-ups done · 3 notes/);
  });

  it('turns a button into an element the page can press, carrying action id, block id and value', () => {
    const blocks = actionMessage(1, 'act_9', 'Add an alert').blocks.map((b) => ({ ...b, block_id: 'b1' }));
    const out = blocksToHtml(blocks, ctx, dir);
    expect(out).toContain('data-kind="button" data-action-id="action_done" data-block-id="b1" data-value="act_9"');
    expect(out).toContain('class="bk-button btn-primary"');
  });

  it('renders a modal’s inputs as form controls and maps them back to Slack’s view state', () => {
    const modal = declareModal({ channelId: 'C1' });
    const out = blocksToHtml(modal.blocks, ctx, dir, { errors: { title: 'Please give it a title.' } });
    expect(out).toContain('data-input data-type="plain_text_input" data-block="title" data-action="title"');
    expect(out).toContain('<option value="SEV3" selected>SEV3</option>');
    expect(out).toContain('<div class="error">Please give it a title.</div>');
    const state = viewStateValues(modal, { title: { title: 'Search is slow' }, severity: { severity: 'SEV2' }, service: { service: '' }, description: { description: '' } });
    expect(state.errors).toEqual({});
    expect(state.values).toEqual({
      title: { title: { type: 'plain_text_input', value: 'Search is slow' } },
      severity: { severity: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: 'SEV2', emoji: true }, value: 'SEV2' } } },
      service: { service: { type: 'plain_text_input', value: null } },
      description: { description: { type: 'plain_text_input', value: null } },
      private: { private: { type: 'checkboxes', selected_options: [] } },
    });
  });

  it('refuses a required input left empty and an over-long one, as Slack’s client does', () => {
    const modal = declareModal({ channelId: 'C1' });
    expect(viewStateValues(modal, {}).errors).toEqual({ title: 'Please complete this required field.', severity: 'Please complete this required field.' });
    expect(viewStateValues(modal, { title: { title: 'x'.repeat(151) }, severity: { severity: 'SEV1' } }).errors).toEqual({ title: 'Must be at most 150 characters.' });
  });

  it('shows unknown blocks and elements as placeholders instead of dropping them', () => {
    expect(blocksToHtml([{ type: 'video' }, { type: 'actions', elements: [{ type: 'datepicker', action_id: 'd' }] }], ctx, dir)).toBe(
      '<div class="bk-unsupported">[video block]</div><div class="bk-actions"><span class="bk-unsupported" title="not rendered by the sandbox">[datepicker]</span></div>',
    );
  });
});
