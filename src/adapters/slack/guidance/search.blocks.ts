import { escapeMrkdwn, truncate } from '../../../shared/text';
import { SLACK_LIMITS, type SlackBlock } from './guidance.blocks';
import type { RelatedIncident } from '../../../guidance/guidance.types';

/** `/incident list [open|all] <query>`: ranked matches, best first, each with why it matched. */
export function searchResultBlocks(
  query: string,
  which: 'open' | 'all',
  results: RelatedIncident[],
): { text: string; blocks: SlackBlock[] } {
  const q = truncate(query.trim(), 100);
  const scope = which === 'open' ? 'open incidents' : 'incidents';
  if (results.length === 0) {
    const hint = which === 'open' ? ' Try `list all …` to include closed ones.' : '';
    const text = `No ${scope} match “${escapeMrkdwn(q)}”.${hint}`;
    return { text: `No ${scope} match “${q}”.`, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
  }
  const lines = results.map((r, i) => {
    const channel = r.channelId ? ` <#${r.channelId}>` : '';
    const status = escapeMrkdwn(String(r.status).toLowerCase());
    return `${i + 1}. *INC-${r.number}* ${escapeMrkdwn(truncate(r.title, 100))} (${status})${channel}\n      _${escapeMrkdwn(truncate(r.why.join(', '), 200))}_`;
  });
  const head = `*${results.length} ${scope} matching “${escapeMrkdwn(q)}”*, best first`;
  return {
    text: `${results.length} ${scope} matching “${q}”: ${results.map((r) => `INC-${r.number}`).join(', ')}`,
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: truncate([head, ...lines].join('\n'), SLACK_LIMITS.sectionText) },
      },
    ],
  };
}
