import { escapeMrkdwn, truncate, untrustedMrkdwn } from '../../../shared/text';
import { IDS } from '../ids';

/** How a draft was produced, as recorded on its POSTMORTEM_DRAFTED event. */
export interface DraftOrigin {
  generator?: 'llm' | 'deterministic';
  model?: string;
  /** Why a configured model was not used (see NarrativeFailure). */
  fallback?: string;
}

export interface PreviewInput {
  incident: { number: number; title: string; prUrl?: string | null };
  draft: { version: number; markdown: string };
  origin: DraftOrigin;
}

// Slack caps a section's text at 3,000 characters; two sections and the header stay well inside.
const SECTION_MAX = 1500;
const FILL_IN = '_To fill in';

const FALLBACK_TEXT: Record<string, string> = {
  timeout: 'timed out',
  connection: 'could not connect',
  http_error: 'API error',
  empty: 'empty answer',
  malformed: 'unusable answer',
};

/** The one-line note on who wrote the draft, so nobody mistakes an AI draft for the team's words (or vice versa). */
export function generatorNote(origin: DraftOrigin): string {
  const generator = origin.generator ?? (origin.model ? 'llm' : 'deterministic');
  if (generator === 'llm') return `:robot_face: Drafted by ${origin.model ?? 'an AI model'} — review it before merging`;
  if (origin.fallback)
    return `:warning: AI unavailable (${FALLBACK_TEXT[origin.fallback] ?? origin.fallback}), deterministic draft`;
  return ':page_facing_up: Deterministic draft (no AI configured)';
}

/** The lines under `## <heading>` of a draft, up to the next `## `. */
export function markdownSection(markdown: string, heading: string): string {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.trim() === `## ${heading}`);
  if (start < 0) return '';
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => l.startsWith('## '));
  return (end < 0 ? rest : rest.slice(0, end)).join('\n').trim();
}

/** GitHub Markdown (as our drafts write it) → Slack mrkdwn: escaped, bold, links, bullets. */
export function toMrkdwn(markdown: string): string {
  return escapeMrkdwn(markdown)
    .replace(/\*\*([^*\n]+)\*\*/g, '*$1*')
    .replace(/\[([^\]\n]+)\]\((https?:[^)\s]+)\)/g, '<$2|$1>')
    .replace(/^- /gm, '• ');
}

/** A section without the "To fill in" prompts (they stay in the file; the preview shows facts). */
const withoutPrompts = (text: string) =>
  text
    .split('\n')
    .filter((l) => !l.trim().startsWith(FILL_IN) && !l.trim().startsWith(`- ${FILL_IN}`))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();

const button = (actionId: string, text: string, value: string, style?: 'primary') => ({
  type: 'button',
  action_id: actionId,
  text: { type: 'plain_text', text },
  value,
  ...(style ? { style } : {}),
});

/** The in-channel preview of a draft: summary, impact, who wrote it, and Create PR / Regenerate / Download. */
export function postmortemPreview(input: PreviewInput) {
  const { incident, draft, origin } = input;
  const summary = withoutPrompts(markdownSection(draft.markdown, 'Summary')) || '_No summary yet._';
  const impact = withoutPrompts(markdownSection(draft.markdown, 'Impact'));
  const prompts = draft.markdown.split(FILL_IN).length - 1;
  const context = [generatorNote(origin), `v${draft.version}`];
  if (prompts > 0) context.push(`${prompts} prompt${prompts === 1 ? '' : 's'} left for the team to fill in`);
  if (incident.prUrl) context.push(`pull request: <${incident.prUrl}>`);
  const value = String(draft.version);
  const blocks: Record<string, unknown>[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: truncate(`Postmortem draft: INC-${incident.number} ${incident.title}`, 150) },
    },
    { type: 'section', text: { type: 'mrkdwn', text: truncate(`*Summary*\n${toMrkdwn(summary)}`, SECTION_MAX) } },
  ];
  if (impact)
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: truncate(`*Impact*\n${toMrkdwn(impact)}`, SECTION_MAX) },
    });
  blocks.push(
    { type: 'context', elements: [{ type: 'mrkdwn', text: truncate(context.join(' · '), 1900) }] },
    {
      type: 'actions',
      block_id: 'postmortem_actions',
      elements: [
        button(IDS.postmortemCreatePr, 'Create PR', value, 'primary'),
        button(IDS.postmortemRegenerate, 'Regenerate', value),
        button(IDS.postmortemDownload, 'Download', value),
      ],
    },
  );
  return {
    text: `Postmortem draft v${draft.version} for INC-${incident.number}: ${untrustedMrkdwn(truncate(incident.title, 150))}`,
    blocks,
  };
}

/** The "resolved" status message, offering a postmortem draft (pressing it drafts, like `/incident postmortem`). */
export function resolvedBlocks(statusText: string, incidentNumber: number): Record<string, unknown>[] {
  return [
    { type: 'section', text: { type: 'mrkdwn', text: truncate(statusText, 2900) } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `:memo: INC-${incidentNumber} is resolved. Draft a blameless postmortem from its timeline?`,
      },
      accessory: button(IDS.postmortemDraft, 'Draft postmortem', String(incidentNumber), 'primary'),
    },
  ];
}
