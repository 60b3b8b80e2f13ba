import { escapeMrkdwn, truncate } from '../../../shared/text';
import { SLACK_LIMITS, type SlackBlock, safetyLabel } from './guidance.blocks';
import type { Runbook } from '../../../guidance/guidance.types';

export interface RunbookView {
  service: string;
  source: 'db' | 'file';
  runbook?: Runbook;
  url?: string;
  updatedBy?: string;
  updatedAt?: string;
}

/** `/incident runbook <service>`: the runbook's sections and tagged steps, or a clear "none". */
export function runbookBlocks(view: RunbookView | undefined, service: string): { text: string; blocks: SlackBlock[] } {
  if (!view || (!view.runbook && !view.url)) {
    const text = `No runbook for *${escapeMrkdwn(service)}*. Add \`${escapeMrkdwn(service)}.md\` to the runbooks folder, or store one for this workspace.`;
    return {
      text: `No runbook for ${escapeMrkdwn(service)}`,
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
    };
  }
  const title = view.runbook?.title ?? view.service;
  const origin =
    view.source === 'db'
      ? `stored for this workspace${view.updatedBy ? ` by <@${escapeMrkdwn(view.updatedBy)}>` : ''}`
      : 'from the runbooks folder';
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: truncate(`Runbook: ${title}`, SLACK_LIMITS.headerText), emoji: true },
    },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `${escapeMrkdwn(view.service)} · ${origin}${view.url ? ` · <${view.url.replace(/[|<>]/g, encodeURIComponent)}|open full runbook>` : ''}`,
        },
      ],
    },
  ];
  const sections = view.runbook?.sections ?? [];
  const room = SLACK_LIMITS.blocks - blocks.length - 1;
  for (const s of sections.slice(0, room)) {
    const lines = s.steps.length
      ? s.steps.map((st) => `${safetyLabel(st.safety)} ${escapeMrkdwn(st.text)}`)
      : [escapeMrkdwn(truncate(s.body, 600))];
    const text = truncate(`*${escapeMrkdwn(s.heading)}*\n${lines.join('\n')}`, SLACK_LIMITS.sectionText);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text } });
  }
  if (sections.length > room)
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `…and ${sections.length - room} more sections.` }],
    });
  return { text: `Runbook for ${escapeMrkdwn(view.service)}`, blocks };
}
