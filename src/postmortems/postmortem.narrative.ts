import { z } from 'zod';
import type { IncidentEvent, IncidentState } from '../incidents/incident.types';
import { computeImpact, formatDuration } from './postmortem.impact';
import type { RelatedIncident } from './postmortem.markdown';
import { type UserNames, buildTimeline, formatUtc, nameOf, plainText } from './postmortem.timeline';

/** Bumped whenever the wording changes, so stored drafts say which prompt produced them. */
export const NARRATIVE_PROMPT_VERSION = 'postmortem-narrative/v1';

/** The structured answer we accept from the model; anything else falls back to the deterministic draft. */
export const postmortemNarrativeSchema = z.object({
  summary: z.string().trim().min(1).max(2000),
  rootCause: z.string().trim().min(1).max(4000),
  wentWell: z.array(z.string().trim().min(1).max(500)).max(10),
  wentPoorly: z.array(z.string().trim().min(1).max(500)).max(10),
});
export type NarrativeAnswer = z.infer<typeof postmortemNarrativeSchema>;

export interface NarrativeInput {
  incident: IncidentState;
  events: IncidentEvent[];
  userNames: UserNames;
  related?: RelatedIncident[];
}

export interface NarrativePrompt {
  system: string;
  user: string;
  version: string;
}

// Timelines of long incidents are cut in the middle: the start and the end carry the story.
const MAX_TIMELINE_LINES = 200;
const HEAD_LINES = 50;
const MAX_PROMPT_CHARS = 30_000;

const R = '[redacted]';
const SECRET_PATTERNS: Array<[RegExp, string]> = [
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}/g, R], // Slack tokens
  [/\bxapp-[A-Za-z0-9-]{10,}/g, R],
  [/\bgh[pousr]_[A-Za-z0-9]{20,}/g, R], // GitHub tokens
  [/\bgithub_pat_[A-Za-z0-9_]{20,}/g, R],
  [/\bsk-[A-Za-z0-9_-]{20,}/g, R], // OpenAI-style keys
  [/\bAKIA[0-9A-Z]{16}\b/g, R], // AWS access key ids
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, R], // JWTs
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, R],
  [/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{12,}/gi, `$1 ${R}`],
  [/\b(password|passwd|secret|token|api[_-]?key)(\s*[:=]\s*)[^\s,;]+/gi, `$1$2${R}`],
];

/**
 * People paste credentials into incident channels. Nothing that looks like one leaves for the
 * model provider.
 */
export function redactSecrets(text: string): string {
  return SECRET_PATTERNS.reduce((t, [re, by]) => t.replace(re, by), text);
}

const SYSTEM = [
  'You help an engineering team write a blameless incident postmortem.',
  'Use only the facts given. When the facts do not show something, say what is unknown instead of guessing.',
  'Describe systems, processes and decisions, never the character or competence of people; do not assign fault to any person.',
  'Write plain prose without Markdown headings.',
  'Answer with one JSON object and nothing else, with exactly these keys:',
  '"summary": 2–4 sentences on what happened, the impact and how service was restored;',
  '"rootCause": the most likely trigger and contributing factors as far as the timeline shows, with open questions for the team (a 5-whys style chain is welcome);',
  '"wentWell": array of short strings;',
  '"wentPoorly": array of short strings.',
].join(' ');

function timelineText(events: IncidentEvent[], names: UserNames): string[] {
  const lines = buildTimeline(events, names).map((t) => `${t.at}  ${t.text}`);
  if (lines.length <= MAX_TIMELINE_LINES) return lines;
  const tail = MAX_TIMELINE_LINES - HEAD_LINES;
  return [...lines.slice(0, HEAD_LINES), `… ${lines.length - MAX_TIMELINE_LINES} events omitted …`, ...lines.slice(-tail)];
}

/** System and user messages for the narrative. Only incident context; secrets are redacted. */
export function buildNarrativePrompt(input: NarrativeInput): NarrativePrompt {
  const { incident, events, userNames: names } = input;
  const imp = computeImpact(incident, events);
  const facts = [
    `Incident: INC-${incident.number} — ${plainText(incident.title, names)}`,
    incident.description ? `Description: ${plainText(incident.description, names)}` : undefined,
    `Status: ${incident.status.toLowerCase()}; severity ${incident.severity} (declared ${imp.declaredSeverity}, peak ${imp.peakSeverity})`,
    `Services: ${imp.services.join(', ') || 'unknown'}; environments: ${imp.environments.join(', ') || 'unknown'}`,
    `Started: ${formatUtc(imp.startedAt)} (${imp.startedBy === 'signal' ? 'first alert' : 'declaration'})`,
    imp.toMitigate !== undefined ? `Time to mitigate: ${formatDuration(imp.toMitigate)}` : 'Not mitigated yet',
    imp.toResolve !== undefined ? `Time to resolve: ${formatDuration(imp.toResolve)}` : 'Not resolved yet',
  ].filter((l): l is string => !!l);
  const actions = incident.actions.map((a) => `- [${a.done ? 'done' : 'open'}] ${plainText(a.text, names)}${a.owner ? ` (owner ${nameOf(a.owner, names)})` : ''}`);
  const related = (input.related ?? []).map((r) => `- INC-${r.number}: ${r.title}`);
  const user = [
    ...facts,
    '',
    'Timeline (UTC):',
    ...timelineText(events, names),
    '',
    'Follow-up actions:',
    ...(actions.length ? actions : ['(none yet)']),
    ...(related.length ? ['', 'Possibly related past incidents:', ...related] : []),
    '',
    'Write the JSON object now.',
  ].join('\n');
  return { system: SYSTEM, user: redactSecrets(user).slice(0, MAX_PROMPT_CHARS), version: NARRATIVE_PROMPT_VERSION };
}

/** Parses the model's text; null when it is not the JSON object we asked for. */
export function parseNarrative(content: string | null | undefined): NarrativeAnswer | null {
  if (!content) return null;
  let json: unknown;
  try {
    // Some OpenAI-compatible servers wrap JSON in a code fence even in JSON mode.
    json = JSON.parse(content.trim().replace(/^```(?:json)?\s*|\s*```$/g, ''));
  } catch {
    return null;
  }
  const parsed = postmortemNarrativeSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}
