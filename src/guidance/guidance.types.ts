import type { IncidentStatus, Severity } from '../incidents/incident.types';

export const SAFETY_LEVELS = ['safe', 'caution', 'dangerous', 'unknown'] as const;
export type Safety = (typeof SAFETY_LEVELS)[number];

export interface RunbookStep {
  text: string;
  safety: Safety;
}

export interface RunbookSection {
  heading: string;
  /** Markdown heading level (1–6); 0 for text before any heading. */
  level: number;
  steps: RunbookStep[];
  /** The section's markdown without its heading line (steps included), trimmed. */
  body: string;
}

export interface Runbook {
  title: string;
  sections: RunbookSection[];
}

/** A past incident judged related, with the reasons shown to the user. */
export interface RelatedIncident {
  incidentId: string;
  number: number;
  title: string;
  status: IncidentStatus | string;
  service: string | null;
  environment: string | null;
  channelId: string | null;
  createdAt: string;
  score: number;
  why: string[];
}

/** An action taken (or planned) in a related past incident. */
export interface PastAction {
  incidentNumber: number;
  text: string;
  done: boolean;
}

export type GuidanceSource =
  | { kind: 'runbook'; section: string; service?: string }
  | { kind: 'incident'; number: number }
  | { kind: 'model' }
  /** The suspect deployment (guidance.suspect.ts). */
  | { kind: 'change'; service: string; environment: string; version: string };

export interface GuidanceAction {
  text: string;
  safety: Safety;
  source: GuidanceSource;
  /** Offered as a **Roll back** button instead of "Add to actions". */
  rollback?: { service: string; environment: string };
}

export type GuidanceGenerator = 'llm' | 'deterministic';

export interface Guidance {
  generator: GuidanceGenerator;
  actions: GuidanceAction[];
  questions: string[];
  related: RelatedIncident[];
}

/** What guidance is about: only incident context, never credentials. */
export interface GuidanceIncident {
  id: string;
  number: number;
  title: string;
  description?: string;
  severity: Severity;
  status: IncidentStatus;
  service?: string;
  environment?: string;
  signals: { title: string; service: string; environment: string }[];
  /** Actions already on the incident, so they are not suggested again. */
  actions: { text: string }[];
  /** Recent timeline texts, newest last (used by the LLM prompt only). */
  timeline?: string[];
}

export interface RunbookRef {
  service: string;
  runbook: Runbook;
}

/** A service's `revenant/runbook` catalog annotation when it is a URL: shown as a link. */
export interface RunbookLink {
  service: string;
  url: string;
}

export interface GuidanceContext {
  incident: GuidanceIncident;
  runbooks: RunbookRef[];
  /** Catalog runbook links (optional: absent without a catalog). */
  runbookLinks?: RunbookLink[];
  related: RelatedIncident[];
  pastActions: PastAction[];
}

/** What the user is shown, and how it was produced. */
export interface GuidanceView {
  guidance: Guidance;
  /** Model name when the LLM produced it. */
  model?: string;
  /** Set when the LLM was configured but its answer could not be used. */
  fallbackReason?: string;
  /** Catalog runbook links for the incident's services (added by the guidance service). */
  runbookLinks?: RunbookLink[];
}

/** Guidance as produced for one request: the view, plus what the model call cost (for the log). */
export interface GuidanceResult extends GuidanceView {
  promptVersion?: string;
  tokens?: number;
  latencyMs: number;
  /** Redacted technical detail of a fallback, for logs only. */
  errorDetail?: string;
}
