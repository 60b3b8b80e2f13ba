import { z } from 'zod';
import { parseWith } from '../../signals/normalisers/normaliser.helpers';
import type { ChangeNormaliseContext, ChangeNormaliseResult, ChangeStatus } from '../change.types';
import { optText, text, time, versionOf } from './change.helpers';

/**
 * Argo CD Notifications, through the webhook template documented in docs/changes.md: one JSON object
 * per sync operation. Service = `service` or the application name; environment = `environment` or
 * the destination namespace; version = `version` or the synced revision.
 */
const ArgoNotification = z
  .object({
    app: text,
    service: optText,
    environment: optText,
    namespace: optText,
    version: optText,
    revision: text,
    phase: text,
    health: optText,
    startedAt: time,
    finishedAt: time.optional(),
    url: optText,
    actor: optText,
  })
  .passthrough()
  .superRefine((v, ctx) => {
    if (v.startedAt === undefined)
      ctx.addIssue({ code: 'custom', path: ['startedAt'], message: 'required (RFC 3339)' });
  });

// Argo's operationState.phase.
const PHASES: Record<string, ChangeStatus | undefined> = {
  Running: 'in_progress',
  Succeeded: 'success',
  Failed: 'failure',
  Error: 'failure',
  Terminating: 'cancelled',
};

export function normaliseArgocd(body: unknown, _ctx: ChangeNormaliseContext): ChangeNormaliseResult {
  const e = parseWith(ArgoNotification, body, 'Argo CD');
  const status = PHASES[e.phase];
  if (!status) return { type: 'ignored', reason: `Argo CD phase "${e.phase.slice(0, 40)}"` };
  const terminal = status !== 'in_progress';
  const at = (terminal ? e.finishedAt : undefined) ?? e.startedAt!;
  return {
    type: 'events',
    warnings: [],
    events: [
      {
        service: e.service ?? e.app,
        environment: e.environment ?? e.namespace ?? 'default',
        version: versionOf(e.version, undefined, undefined) ?? e.revision.slice(0, 12),
        commitSha: e.revision,
        status,
        url: e.url ?? '',
        actor: e.actor ?? 'argocd',
        startedAt: e.startedAt!,
        ...(terminal ? { finishedAt: at } : {}),
        statusAt: at,
        source: 'argocd',
        // One sync operation = one deployment: the app and the time its operation started.
        externalId: `${e.app}:${e.startedAt}`,
      },
    ],
  };
}
