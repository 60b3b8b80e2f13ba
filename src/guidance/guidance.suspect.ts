import type { Guidance, GuidanceAction } from './guidance.types';

/**
 * The suspect change ranks first: a deployment of the incident's service in the 2 hours before its
 * first signal. With an earlier good version the step is the rollback itself (offered with a Roll back
 * button); without one it asks to look at the deployment. Pure.
 */
export interface SuspectChangeFact {
  service: string;
  environment: string;
  version: string;
  /** The environment's last successful version before it, when one is recorded. */
  previousVersion?: string;
  /** Minutes between the deployment and the incident's first signal. */
  minutesBefore: number;
  status: string;
  /** Whether a rollback action is configured for the service. */
  rollbackConfigured: boolean;
}

const ago = (min: number) => (min < 60 ? `${min} min` : `${Math.floor(min / 60)} h ${min % 60} min`);

export function suspectAction(s: SuspectChangeFact): GuidanceAction {
  const when = `deployed ${ago(Math.max(0, Math.round(s.minutesBefore)))} before the first alert`;
  const source = { kind: 'change' as const, service: s.service, environment: s.environment, version: s.version };
  if (s.previousVersion && s.previousVersion !== s.version && s.status === 'success')
    return {
      text: `Roll back ${s.service} ${s.version} → ${s.previousVersion} in ${s.environment}, ${when}`,
      safety: 'caution',
      source,
      ...(s.rollbackConfigured ? { rollback: { service: s.service, environment: s.environment } } : {}),
    };
  return {
    text: `Check the deployment of ${s.service} ${s.version} to ${s.environment} (${s.status.replace('_', ' ')}), ${when}`,
    safety: 'safe',
    source,
  };
}

/** The suspect's step first (a same-text step further down is dropped), whichever drafter answered. */
export function withSuspectFirst(g: Guidance, suspect: SuspectChangeFact | undefined): Guidance {
  if (!suspect) return g;
  const first = suspectAction(suspect);
  const norm = (t: string) => t.trim().toLowerCase();
  return { ...g, actions: [first, ...g.actions.filter((a) => norm(a.text) !== norm(first.text))] };
}
