import { generatorLabel, sourceLabel } from '../../../guidance/guidance.labels';
import { type GuidanceAction, type GuidanceView, SAFETY_LEVELS, type Safety } from '../../../guidance/guidance.types';
import { SLACK_BLOCK_LIMITS } from '../../../shared/block-limits';
import { assertNever } from '../../../shared/domain-error';
import { escapeMrkdwn, truncate } from '../../../shared/text';
import { rollbackButton } from '../rollback/rollback.blocks';

export { generatorLabel } from '../../../guidance/guidance.labels';

/** Interactivity: pressing **Add to actions** on a guidance message. */
export const GUIDANCE_ADD_ACTION = 'guidance_add_action';

// Slack limits (https://api.slack.com/reference/block-kit).
export const SLACK_LIMITS = {
  blocks: SLACK_BLOCK_LIMITS.messageBlocks,
  sectionText: SLACK_BLOCK_LIMITS.text,
  buttonText: SLACK_BLOCK_LIMITS.buttonText,
  buttonValue: 2000,
  headerText: SLACK_BLOCK_LIMITS.headerText,
} as const;
const MAX_ACTION_TEXT = 1500;

/** Minimal Block Kit shapes these builders produce (escapeMrkdwn on every outside text stops `<!channel>` or link injection). */
export type TextObject = { type: 'mrkdwn'; text: string } | { type: 'plain_text'; text: string; emoji?: boolean };
export interface ButtonElement {
  type: 'button';
  action_id: string;
  text: { type: 'plain_text'; text: string; emoji?: boolean };
  value: string;
}
export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string; emoji?: boolean } }
  | { type: 'section'; block_id?: string; text: TextObject; accessory?: ButtonElement }
  | { type: 'context'; elements: TextObject[] }
  | { type: 'divider' };

export function safetyLabel(safety: Safety): string {
  switch (safety) {
    case 'safe':
      return ':large_green_circle: *Safe*';
    case 'caution':
      return ':large_yellow_circle: *Caution*';
    case 'dangerous':
      return ':red_circle: *Dangerous*';
    case 'unknown':
      return ':white_circle: *Unrated*';
    default:
      return assertNever(safety);
  }
}

export interface GuidanceActionValue {
  incidentId: string;
  text: string;
  safety: Safety;
}

/** Button value: which incident and what text. Untrusted on the way back: the handler re-checks org, incident and role. */
export function encodeGuidanceActionValue(v: GuidanceActionValue): string {
  let text = truncate(v.text, MAX_ACTION_TEXT);
  let out = JSON.stringify({ v: 1, i: v.incidentId, s: v.safety, t: text });
  while (out.length > SLACK_LIMITS.buttonValue && text.length > 1) {
    text = truncate(text, Math.floor(text.length * 0.8)); // JSON escaping can grow the text
    out = JSON.stringify({ v: 1, i: v.incidentId, s: v.safety, t: text });
  }
  return out;
}

export function decodeGuidanceActionValue(value: string): GuidanceActionValue | undefined {
  try {
    const o = JSON.parse(value) as { v?: unknown; i?: unknown; s?: unknown; t?: unknown };
    if (o.v !== 1 || typeof o.i !== 'string' || typeof o.t !== 'string' || typeof o.s !== 'string') return undefined;
    const text = o.t.trim();
    if (!o.i || o.i.length > 200 || !text || text.length > MAX_ACTION_TEXT) return undefined;
    if (!(SAFETY_LEVELS as readonly string[]).includes(o.s)) return undefined;
    return { incidentId: o.i, text, safety: o.s as Safety };
  } catch {
    return undefined;
  }
}

/** Bullet lines packed into at most `maxSections` sections under the 3000-character limit; the rest is counted, not shown. */
function listSections(title: string, lines: string[], maxSections = 2, maxLine = 500): SlackBlock[] {
  const blocks: SlackBlock[] = [];
  const continued = `*${title} (continued)*`;
  const reserve = 40; // room for the "…and N more" line
  let text = `*${title}*`;
  let shown = 0;
  for (const raw of lines) {
    const line = `\n• ${truncate(raw, maxLine)}`;
    if (text.length + line.length > SLACK_LIMITS.sectionText - reserve) {
      if (blocks.length + 1 >= maxSections) break;
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text } });
      text = continued;
    }
    text += line;
    shown++;
  }
  if (shown < lines.length) text += `\n…and ${lines.length - shown} more`;
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text } });
  return blocks;
}

function actionBlock(incidentId: string, a: GuidanceAction, i: number): SlackBlock {
  const head = `${safetyLabel(a.safety)}  _${escapeMrkdwn(sourceLabel(a.source))}_\n`;
  return {
    type: 'section',
    block_id: `guidance_action_${i}`,
    text: { type: 'mrkdwn', text: head + truncate(escapeMrkdwn(a.text), SLACK_LIMITS.sectionText - head.length) },
    // The suspect deployment's step is the rollback itself: its button opens the confirmation.
    accessory: a.rollback
      ? rollbackButton({ incidentId, ...a.rollback })
      : {
          type: 'button',
          action_id: GUIDANCE_ADD_ACTION,
          text: { type: 'plain_text', text: 'Add to actions', emoji: true },
          value: encodeGuidanceActionValue({ incidentId, text: a.text, safety: a.safety }),
        },
  };
}

export interface GuidanceBlocksInput {
  incidentId: string;
  incidentNumber: number;
  view: GuidanceView;
}

/** The guidance message: actions (each with **Add to actions**), questions, related incidents, and who produced it. */
export function guidanceBlocks({ incidentId, incidentNumber, view }: GuidanceBlocksInput): {
  text: string;
  blocks: SlackBlock[];
} {
  const { actions, questions, related } = view.guidance;
  const head: SlackBlock[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: truncate(`Guidance for INC-${incidentNumber}`, SLACK_LIMITS.headerText),
        emoji: true,
      },
    },
    {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: truncate(escapeMrkdwn(generatorLabel(view)), SLACK_LIMITS.sectionText) }],
    },
  ];
  const tail: SlackBlock[] = [];
  if (view.runbookLinks?.length) {
    const links = view.runbookLinks.map((l) => `<${l.url.replace(/[<>|]/g, '')}|Runbook for ${escapeMrkdwn(l.service)}>`);
    tail.push({ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(links.join('  ·  '), SLACK_LIMITS.sectionText) }] });
  }
  if (questions.length)
    tail.push({ type: 'divider' }, ...listSections('Diagnostic questions', questions.map(escapeMrkdwn)));
  if (related.length) {
    const lines = related.map((r) => {
      const name = r.channelId ? `<#${r.channelId}> *INC-${r.number}*` : `*INC-${r.number}*`;
      return `${name} ${escapeMrkdwn(r.title)} (${escapeMrkdwn(String(r.status).toLowerCase())}): ${escapeMrkdwn(r.why.join(', '))}`;
    });
    tail.push({ type: 'divider' }, ...listSections('Related incidents', lines));
  }
  const footer: SlackBlock = {
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: 'Safety levels come from runbook tags or the suggester; review every step before running it.',
      },
    ],
  };

  const body: SlackBlock[] = [];
  if (actions.length === 0) {
    body.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: '*Suggested actions*\nNo runbook steps or past actions match yet. Add a runbook for this service to get steps here.',
      },
    });
  } else {
    body.push({ type: 'section', text: { type: 'mrkdwn', text: '*Suggested actions*' } });
    // Keep the questions, related incidents and footer; actions get what is left (one slot for "N more").
    const room = SLACK_LIMITS.blocks - head.length - tail.length - 1 - body.length;
    const shown = actions.length <= room ? actions.length : Math.max(0, room - 1);
    actions.slice(0, shown).forEach((a, i) => body.push(actionBlock(incidentId, a, i)));
    if (shown < actions.length)
      body.push({
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `…and ${actions.length - shown} more not shown.` }],
      });
  }
  const blocks = [...head, ...body, ...tail, footer].slice(0, SLACK_LIMITS.blocks);
  const text = `Guidance for INC-${incidentNumber}: ${actions.length} suggested actions, ${questions.length} questions, ${related.length} related incidents`;
  return { text, blocks };
}
