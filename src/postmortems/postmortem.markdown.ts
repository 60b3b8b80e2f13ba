import { slugify } from '../incidents/channel-name';
import type { IncidentEvent, IncidentState } from '../incidents/incident.types';
import { computeImpact, formatDuration, type SloImpact, sloImpactLines } from './postmortem.impact';
import { type UserNames, buildTimeline, formatUtc, nameOf, plainText } from './postmortem.timeline';
import { changesSection, type PostmortemChange } from './postmortem.changes';

export interface PostmortemNarrative {
  summary?: string;
  rootCause?: string;
  wentWell?: string[];
  wentPoorly?: string[];
}

export interface RelatedIncident {
  number: number;
  title: string;
  url?: string;
}

export interface PostmortemInput {
  incident: IncidentState;
  events: IncidentEvent[];
  userNames: UserNames;
  related?: RelatedIncident[];
  narrative?: PostmortemNarrative;
  links: { channelUrl?: string; alertLinks?: string[] };
  /** ISO time of drafting: only used for "so far" durations of an incident still open. */
  now: string;
  /** SLOs breached during the incident (the SLOViolation read model). */
  sloViolations?: SloImpact[];
  /** Deployments of the incident's service around it (postmortem.changes.ts). */
  changes?: PostmortemChange[];
}

// Prompts for the team when no narrative was generated. Phrased as questions about systems.
export const PROMPTS = {
  summary: '_To fill in: two or three sentences on what happened, who noticed, and how service was restored._',
  impact: '_To fill in: who and what was affected (users, requests, data), and how much?_',
  rootCause:
    '_To fill in: what triggered the incident? Consider the 5 whys: start from the symptom and keep asking "why?" until you reach a condition in a system or process that can be changed. Note contributing factors too._',
  wentWell: '_To fill in: what helped? Detection, tooling, runbooks, communication._',
  wentPoorly: '_To fill in: what slowed detection, diagnosis or recovery? What was confusing or missing?_',
} as const;

const MARKER = 'runbook-revenant:postmortem';

/** First line of every draft: lets the PR adapter recognise a file (and branch) as this incident's. */
export const postmortemMarker = (incidentId: string) => `<!-- ${MARKER} incident=${incidentId} -->`;

/** The incident id from a draft's marker, or null when the text is not one of ours. */
export function readPostmortemMarker(markdown: string): string | null {
  const m = new RegExp(`<!-- ${MARKER} incident=([^\\s]+) -->`).exec(markdown);
  return m ? m[1] : null;
}

/** `postmortems/YYYY-MM-DD-<slug>.md`, dated by resolution (or declaration while unresolved), UTC. */
export function postmortemFilePath(incident: Pick<IncidentState, 'number' | 'title' | 'resolvedAt' | 'createdAt'>): string {
  const at = incident.resolvedAt ?? incident.createdAt;
  const d = new Date(at);
  const day = Number.isNaN(d.getTime()) ? '0000-00-00' : d.toISOString().slice(0, 10);
  const slug = slugify(incident.title, 60) || `incident-${incident.number}`;
  return `postmortems/${day}-${slug}.md`;
}

export const postmortemBranch = (number: number) => `postmortem/incident-${number}`;

const STATUS_LABEL: Record<IncidentState['status'], string> = {
  OPEN: 'Open',
  INVESTIGATING: 'Investigating',
  MITIGATED: 'Mitigated',
  RESOLVED: 'Resolved',
  CANCELLED: 'Cancelled',
};

/** LLM or human prose into one section: headings are flattened so they cannot break the outline. */
function prose(text: string | undefined): string | undefined {
  const t = text
    ?.replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.replace(/^\s{0,3}#{1,6}\s+/, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return t || undefined;
}

function bullets(items: string[] | undefined, prompt: string): string {
  const clean = (items ?? []).map((i) => i.replace(/^\s*[-*•]\s+/, '').replace(/\s*\n\s*/g, ' ').trim()).filter(Boolean);
  return clean.length ? clean.map((i) => `- ${i}`).join('\n') : `- ${prompt}`;
}

const list = (xs: string[]) => (xs.length ? xs.join(', ') : '_not recorded_');

function severityText(declared: string, peak: string, current: string): string {
  const notes: string[] = [];
  if (declared !== current) notes.push(`declared as ${declared}`);
  if (peak !== current && peak !== declared) notes.push(`peaked at ${peak}`);
  return notes.length ? `${current} (${notes.join(', ')})` : current;
}

const joinAnd = (xs: string[]) => (xs.length < 2 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`);

function factualSummary(input: PostmortemInput, durations: { toMitigate?: number; toResolve?: number }): string {
  const { incident } = input;
  const where = [incident.service, incident.environment].filter(Boolean).join(' in ');
  const steps = [`declared at ${formatUtc(incident.createdAt)}`];
  if (incident.status === 'CANCELLED') steps.push('later cancelled');
  else {
    if (durations.toMitigate !== undefined) steps.push(`mitigated after ${formatDuration(durations.toMitigate)}`);
    if (durations.toResolve !== undefined) steps.push(`resolved after ${formatDuration(durations.toResolve)}`);
  }
  return `INC-${incident.number} (${incident.severity})${where ? ` affected ${where}` : ''}. It was ${joinAnd(steps)}.`;
}

function impactSection(input: PostmortemInput): { lines: string[]; toMitigate?: number; toResolve?: number } {
  const { incident, events, now } = input;
  const imp = computeImpact(incident, events);
  const start = `${formatUtc(imp.startedAt)} (${imp.startedBy === 'signal' ? 'first alert' : 'declaration'})`;
  const soFar = formatDuration(new Date(now).getTime() - new Date(imp.startedAt).getTime());
  const stillOpen = incident.status !== 'RESOLVED' && incident.status !== 'CANCELLED';
  const lines = [`- **Start:** ${start}`];
  if (imp.mitigatedAt) lines.push(`- **Time to mitigate:** ${formatDuration(imp.toMitigate ?? 0)} (mitigated ${formatUtc(imp.mitigatedAt)})`);
  else if (stillOpen) lines.push(`- **Time to mitigate:** not mitigated yet (${soFar} so far)`);
  if (imp.resolvedAt) lines.push(`- **Time to resolve:** ${formatDuration(imp.toResolve ?? 0)} (resolved ${formatUtc(imp.resolvedAt)})`);
  else if (stillOpen) lines.push(`- **Time to resolve:** not resolved yet (${soFar} so far)`);
  if (incident.status === 'CANCELLED' && imp.cancelledAt) lines.push(`- **Cancelled:** ${formatUtc(imp.cancelledAt)}`);
  lines.push(
    `- **Severity:** ${severityText(imp.declaredSeverity, imp.peakSeverity, incident.severity)}`,
    `- **Services:** ${list(imp.services)}`,
    `- **Environments:** ${list(imp.environments)}`,
    `- **Alerts attached:** ${imp.alertCount}`,
    ...sloImpactLines(input.sloViolations ?? [], formatUtc),
    '',
    PROMPTS.impact,
  );
  return { lines, toMitigate: imp.toMitigate, toResolve: imp.toResolve };
}

function actionItems(incident: IncidentState, names: UserNames): string {
  if (!incident.actions.length) return '_No follow-up actions recorded yet. Add them in Slack with `/incident action <text>`._';
  return incident.actions
    .map((a) => {
      const owner = a.owner ? ` — owner: ${nameOf(a.owner, names)}` : ' — owner: _unassigned_';
      const done = a.done && a.completedAt ? ` (done ${formatUtc(a.completedAt)})` : '';
      const issue = a.issue ? ` — [${a.issue.repository}#${a.issue.number}](${a.issue.url})` : '';
      return `- [${a.done ? 'x' : ' '}] ${plainText(a.text, names)}${owner}${done}${issue}`;
    })
    .join('\n');
}

function relatedSection(related: RelatedIncident[] | undefined): string {
  if (!related?.length) return '_No related incidents found._';
  return related.map((r) => `- ${r.url ? `[INC-${r.number}: ${r.title}](${r.url})` : `INC-${r.number}: ${r.title}`}`).join('\n');
}

function linksSection(input: PostmortemInput): string {
  const { incident, links } = input;
  const out: string[] = [];
  if (links.channelUrl) out.push(`- Slack channel: [#${incident.channelName ?? `incident-${incident.number}`}](${links.channelUrl})`);
  else if (incident.channelName) out.push(`- Slack channel: #${incident.channelName}`);
  for (const url of links.alertLinks ?? []) out.push(`- Alert: ${url}`);
  return out.length ? out.join('\n') : '_No links recorded._';
}

/** The blameless postmortem as Markdown. Pure: same input, same text. */
export function draftPostmortem(input: PostmortemInput): string {
  const { incident, userNames: names, narrative } = input;
  const roles = (['commander', 'comms', 'scribe'] as const)
    .filter((r) => incident.roles[r])
    .map((r) => `${r[0].toUpperCase()}${r.slice(1)}: ${nameOf(incident.roles[r], names)}`);
  const impact = impactSection(input);
  const timeline = buildTimeline(input.events, names).map((t) => `- \`${t.at}\` — ${t.text}`);
  const summary = prose(narrative?.summary) ?? `${factualSummary(input, impact)}\n\n${PROMPTS.summary}`;

  const lines = [
    postmortemMarker(incident.id),
    `# INC-${incident.number}: ${plainText(incident.title, names)} — Postmortem`,
    '',
    `**Status:** ${STATUS_LABEL[incident.status]} · **Severity:** ${incident.severity} · **Declared:** ${formatUtc(incident.createdAt)}`,
    '',
    roles.length ? `**Roles:** ${roles.join(' · ')}` : '**Roles:** _none assigned_',
    '',
    '_This review looks at how our systems and processes behaved and how to make them safer. It describes decisions with the information people had at the time and does not single out individuals._',
    '',
    '## Summary',
    '',
    summary,
    '',
    '## Impact',
    '',
    ...impact.lines,
    '',
    ...changesSection(input.changes),
    '## Timeline',
    '',
    ...(timeline.length ? timeline : ['_No events recorded._']),
    '',
    '## Root cause analysis',
    '',
    prose(narrative?.rootCause) ?? PROMPTS.rootCause,
    '',
    '## What went well',
    '',
    bullets(narrative?.wentWell, PROMPTS.wentWell),
    '',
    '## What went poorly',
    '',
    bullets(narrative?.wentPoorly, PROMPTS.wentPoorly),
    '',
    '## Action items',
    '',
    actionItems(incident, names),
    '',
    '## Related incidents',
    '',
    relatedSection(input.related),
    '',
    '## Links',
    '',
    linksSection(input),
    '',
  ];
  return lines.join('\n');
}
