import { escapeMrkdwn, truncate } from '../shared/text';
import { encodeEntryRef, orderEntries, type WatchEntry } from './digest.types';
import { absoluteTime, clockTime, sinceText } from './time.format';

/** Slack's limits for one message (Block Kit reference). */
export const SLACK_LIMITS = {
  messageBlocks: 50,
  homeBlocks: 100,
  sectionText: 3000,
  buttonText: 75,
  buttonValue: 2000,
} as const;
export const DEFAULT_MAX_ENTRIES = 20;

/** Action ids get an `:<index>` suffix so every id in one message is unique. */
export const DIGEST_ACTIONS = { declare: 'watch_declare', clear: 'watch_clear', open: 'watch_open_channel' } as const;
export const digestActionPattern = (base: string) => new RegExp(`^${base}(:\\d+)?$`);

type Block = Record<string, unknown>;

export interface DigestInput {
  /** Active entries; the builder orders them and shows the top that fit. */
  entries: WatchEntry[];
  /** Totals of the whole watchlist when `entries` is only its top (counts for the header and "N more"). */
  totals?: { breached: number; atRisk: number };
  now: Date;
  timeZone: string;
  /** The workspace, for links that open a channel. */
  teamId: string;
  /** Buttons (Declare / Clear / Open channel); off for App Home. */
  interactive?: boolean;
  maxEntries?: number;
  maxBlocks?: number;
  heading?: string;
}

export interface DigestMessage {
  text: string;
  blocks: Block[];
  shown: number;
  more: number;
  empty: boolean;
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

export const channelUrl = (teamId: string, channelId: string) =>
  `https://slack.com/app_redirect?team=${encodeURIComponent(teamId)}&channel=${encodeURIComponent(channelId)}`;

const STATUS_LABEL = { BREACHED: ':red_circle: Breached', AT_RISK: ':large_orange_circle: At risk' } as const;

function entryText(e: WatchEntry, now: Date, tz: string): string {
  const head = `${e.status === 'BREACHED' ? ':red_circle:' : ':large_orange_circle:'} *${escapeMrkdwn(truncate(e.service, 100))}* · \`${escapeMrkdwn(truncate(e.environment, 60))}\` — ${e.status === 'BREACHED' ? 'breached' : 'at risk'} · risk *${e.riskScore.toFixed(2)}*`;
  const inc = e.incident;
  const link = inc
    ? ` · INC-${inc.number} (${inc.status.toLowerCase()})${inc.channelId ? ` <#${inc.channelId}>` : ''}`
    : ' · no incident';
  const meta = `${sinceText(e.firstDetectedAt, now, tz)} · via ${escapeMrkdwn(truncate(e.source, 60))}${link}`;
  const logs = [...e.logs]
    .sort((a, b) => b.timestamp.localeCompare(a.timestamp))
    .slice(0, 5)
    .map((l) =>
      `${clockTime(l.timestamp, tz)} ${l.level.toUpperCase()} ${truncate(oneLine(l.message), 280)}`.replace(/`/g, 'ˋ'),
    );
  const logBlock = logs.length ? `\n\`\`\`${escapeMrkdwn(logs.join('\n'))}\`\`\`` : '';
  return truncate(
    `${head}\n${escapeMrkdwn(truncate(oneLine(e.title), 200))}\n${meta}${logBlock}`,
    SLACK_LIMITS.sectionText - 100,
  );
}

function entryActions(e: WatchEntry, i: number, teamId: string): Block | undefined {
  const value = encodeEntryRef(e);
  const elements: Block[] = [];
  const incidentOpen = e.incident && !['RESOLVED', 'CANCELLED'].includes(e.incident.status);
  if (value.length <= SLACK_LIMITS.buttonValue) {
    if (!incidentOpen)
      elements.push({
        type: 'button',
        action_id: `${DIGEST_ACTIONS.declare}:${i}`,
        text: { type: 'plain_text', text: 'Declare incident' },
        style: 'primary',
        value,
      });
    elements.push({
      type: 'button',
      action_id: `${DIGEST_ACTIONS.clear}:${i}`,
      text: { type: 'plain_text', text: 'Clear' },
      value,
      confirm: {
        title: { type: 'plain_text', text: 'Clear this entry?' },
        text: {
          type: 'plain_text',
          text: truncate(`Take ${e.service} (${e.environment}) off the watchlist. A new alert puts it back.`, 300),
        },
        confirm: { type: 'plain_text', text: 'Clear' },
        deny: { type: 'plain_text', text: 'Keep' },
      },
    });
  }
  if (e.incident?.channelId) {
    elements.push({
      type: 'button',
      action_id: `${DIGEST_ACTIONS.open}:${i}`,
      text: { type: 'plain_text', text: `Open INC-${e.incident.number}` },
      url: channelUrl(teamId, e.incident.channelId),
    });
  }
  return elements.length ? { type: 'actions', block_id: `watch_actions_${i}`, elements } : undefined;
}

/** The digest: breached first, then at risk, the top that fit Slack's limits, and how many more. */
export function digestBlocks(input: DigestInput): DigestMessage {
  const ordered = orderEntries(input.entries);
  const totals = input.totals ?? {
    breached: ordered.filter((e) => e.status === 'BREACHED').length,
    atRisk: ordered.filter((e) => e.status === 'AT_RISK').length,
  };
  const total = Math.max(totals.breached + totals.atRisk, ordered.length);
  const heading = input.heading ?? 'Watchlist digest';
  const stamp = `${absoluteTime(input.now.toISOString(), input.timeZone)} · times in ${input.timeZone}`;
  if (total === 0) {
    const text = ':white_check_mark: Watchlist all clear: nothing at risk or breached.';
    return {
      text,
      blocks: [
        { type: 'section', block_id: 'watch_all_clear', text: { type: 'mrkdwn', text: `*${heading}*\n${text}` } },
        { type: 'context', block_id: 'watch_stamp', elements: [{ type: 'mrkdwn', text: stamp }] },
      ],
      shown: 0,
      more: 0,
      empty: true,
    };
  }
  const interactive = input.interactive ?? true;
  const perEntry = interactive ? 2 : 1;
  // header + stamp + two group headings + the "N more" line
  const fixed = 5;
  const fit = Math.floor(((input.maxBlocks ?? SLACK_LIMITS.messageBlocks) - fixed) / perEntry);
  const shown = ordered.slice(0, Math.max(0, Math.min(input.maxEntries ?? DEFAULT_MAX_ENTRIES, fit)));
  const summary = `${totals.breached} breached, ${totals.atRisk} at risk`;
  const blocks: Block[] = [
    {
      type: 'header',
      block_id: 'watch_header',
      text: { type: 'plain_text', text: truncate(`${heading}: ${summary}`, 150) },
    },
    { type: 'context', block_id: 'watch_stamp', elements: [{ type: 'mrkdwn', text: stamp }] },
  ];
  let group = '';
  shown.forEach((e, i) => {
    if (e.status !== group) {
      group = e.status;
      const n = e.status === 'BREACHED' ? totals.breached : totals.atRisk;
      blocks.push({
        type: 'context',
        block_id: `watch_group_${e.status}`,
        elements: [{ type: 'mrkdwn', text: `*${STATUS_LABEL[e.status]} (${n})*` }],
      });
    }
    blocks.push({
      type: 'section',
      block_id: `watch_entry_${i}`,
      text: { type: 'mrkdwn', text: entryText(e, input.now, input.timeZone) },
    });
    const actions = interactive ? entryActions(e, i, input.teamId) : undefined;
    if (actions) blocks.push(actions);
  });
  const more = total - shown.length;
  if (more > 0) {
    const moreBreached = Math.max(0, totals.breached - shown.filter((e) => e.status === 'BREACHED').length);
    const moreAtRisk = Math.max(0, totals.atRisk - shown.filter((e) => e.status === 'AT_RISK').length);
    blocks.push({
      type: 'context',
      block_id: 'watch_more',
      elements: [
        { type: 'mrkdwn', text: `…and *${more} more* not shown (${moreBreached} breached, ${moreAtRisk} at risk).` },
      ],
    });
  }
  return { text: `${heading}: ${summary}`, blocks, shown: shown.length, more, empty: false };
}
