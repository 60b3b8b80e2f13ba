import { clipMrkdwn, truncate } from './text';

/**
 * Slack's Block Kit limits (https://api.slack.com/reference/block-kit/blocks): the real API refuses a
 * message over any of them (`invalid_blocks`), so a long alert label would lose the whole summary.
 */
export const SLACK_BLOCK_LIMITS = {
  messageBlocks: 50,
  homeBlocks: 100,
  /** A section's text; also used for a message's top-level `text` we build. */
  text: 3000,
  headerText: 150,
  fields: 10,
  fieldText: 2000,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
} as const;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A text object cut to `max`: mrkdwn without leaving half an entity or mention, plain text with an ellipsis. */
function fitText(t: unknown, max: number): unknown {
  if (!isObj(t) || typeof t.text !== 'string' || t.text.length <= max) return t;
  return { ...t, text: t.type === 'mrkdwn' ? clipMrkdwn(t.text, max) : truncate(t.text, max) };
}

function fitElement(el: unknown): unknown {
  if (!isObj(el)) return el;
  if (el.type === 'button') return { ...el, text: fitText(el.text, SLACK_BLOCK_LIMITS.buttonText) };
  if (el.type === 'mrkdwn' || el.type === 'plain_text') return fitText(el, SLACK_BLOCK_LIMITS.text);
  return el;
}

function fitBlock(block: unknown): unknown {
  if (!isObj(block)) return block;
  switch (block.type) {
    case 'header':
      return { ...block, text: fitText(block.text, SLACK_BLOCK_LIMITS.headerText) };
    case 'section': {
      const out: Obj = { ...block };
      if (block.text !== undefined) out.text = fitText(block.text, SLACK_BLOCK_LIMITS.text);
      if (Array.isArray(block.fields)) {
        out.fields = block.fields
          .slice(0, SLACK_BLOCK_LIMITS.fields)
          .map((f) => fitText(f, SLACK_BLOCK_LIMITS.fieldText));
      }
      if (block.accessory !== undefined) out.accessory = fitElement(block.accessory);
      return out;
    }
    case 'context':
      return Array.isArray(block.elements)
        ? { ...block, elements: block.elements.slice(0, SLACK_BLOCK_LIMITS.contextElements).map(fitElement) }
        : block;
    case 'actions':
      return Array.isArray(block.elements)
        ? { ...block, elements: block.elements.slice(0, SLACK_BLOCK_LIMITS.actionsElements).map(fitElement) }
        : block;
    default:
      return block;
  }
}

/**
 * The last line of defence of every builder: whatever text it was given, the blocks it returns are
 * within Slack's limits (count, header, section, field, context and button lengths). Pure; returns copies.
 */
export function fitBlocks<T>(blocks: readonly T[], maxBlocks: number = SLACK_BLOCK_LIMITS.messageBlocks): T[] {
  return blocks.slice(0, maxBlocks).map((b) => fitBlock(b) as T);
}
