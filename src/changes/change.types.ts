import type { ChangesMapping } from './change.mapping';

/** Change events (deployments, releases) from CI/CD senders, normalised. Pure: no I/O, no clock. */

/** Connector kinds that carry change events rather than alerts (see src/signals/normalisers for alerts). */
export const CHANGE_CONNECTOR_KINDS = ['github', 'gitlab', 'argocd', 'changes'] as const;
export type ChangeConnectorKind = (typeof CHANGE_CONNECTOR_KINDS)[number];
export const isChangeConnectorKind = (s: string): s is ChangeConnectorKind =>
  (CHANGE_CONNECTOR_KINDS as readonly string[]).includes(s);
/** How connector lists group a connector: change senders (deployments) apart from alert sources. */
export const connectorCategory = (kind: string): 'changes' | 'alerts' => (isChangeConnectorKind(kind) ? 'changes' : 'alerts');

export const CHANGE_STATUSES = ['queued', 'in_progress', 'success', 'failure', 'cancelled'] as const;
export type ChangeStatus = (typeof CHANGE_STATUSES)[number];

export interface ChangeEvent {
  service: string;
  environment: string;
  version: string;
  commitSha?: string;
  ref?: string;
  status: ChangeStatus;
  url: string;
  actor: string;
  startedAt: string;
  finishedAt?: string;
  /** When the sender says this status took effect: orders out-of-order deliveries. */
  statusAt: string;
  /** github | gitlab | argocd | the generic sender's own name. */
  source: string;
  /** The sender's id of the deployment; every status of one deployment shares it. */
  externalId: string;
}

export type ChangeNormaliseResult =
  | { type: 'events'; events: ChangeEvent[]; warnings: string[] }
  /** Answered 202 with `ignored`: nothing stored (unknown event type, a run that is not a deploy…). */
  | { type: 'ignored'; reason: string }
  /** GitHub's `ping` on webhook creation. */
  | { type: 'ping'; zen?: string };

export interface ChangeNormaliseContext {
  /** `X-GitHub-Event` / `X-Gitlab-Event`, when the sender names its event in a header. */
  eventType?: string;
  /** ISO time the request arrived: the fallback for senders that omit times. */
  receivedAt: string;
  /** Workflow names or file names (globs with `*`) whose completed runs count as deployments. */
  deployWorkflows: readonly string[];
  /** The mapping file: repository → service, environment aliases (src/changes/change.mapping.ts). */
  mapping?: ChangesMapping;
}

/** Terminal statuses outrank in-flight ones when two arrive with the same time. */
export const STATUS_RANK: Record<ChangeStatus, number> = {
  queued: 0,
  in_progress: 1,
  success: 2,
  failure: 2,
  cancelled: 2,
};

export const isTerminal = (s: ChangeStatus): boolean => STATUS_RANK[s] === 2;

export const CHANGE_LIMITS = { service: 200, environment: 100, version: 200, ref: 255, url: 2000, actor: 200 } as const;
