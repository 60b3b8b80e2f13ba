/**
 * Every mrkdwn text of a Slack message and its top-level `text` (plain_text, as in headers, is never parsed
 * for mentions or links). `blocks` may be the JSON string a Web API call sends.
 */
export function mrkdwnTexts(message: { text?: unknown; blocks?: unknown }): string[] {
  const out: string[] = typeof message.text === 'string' ? [message.text] : [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.type === 'mrkdwn' && typeof o.text === 'string') out.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  walk(typeof message.blocks === 'string' ? JSON.parse(message.blocks) : message.blocks);
  return out;
}

export const mrkdwnOf = (message: { text?: unknown; blocks?: unknown }): string => mrkdwnTexts(message).join('\n');
