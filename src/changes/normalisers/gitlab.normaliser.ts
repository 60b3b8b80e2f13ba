import { z } from 'zod';
import { parseWith } from '../../signals/normalisers/normaliser.helpers';
import { serviceOfRepository } from '../change.mapping';
import type { ChangeNormaliseResult, ChangeStatus } from '../change.types';
import type { ChangeNormaliseContext } from '../change.types';
import { optText, text, versionOf } from './change.helpers';
import { parseTime } from '../../signals/normalisers/normaliser.helpers';

/**
 * GitLab deployment events (`X-Gitlab-Event: Deployment Hook`, `object_kind: "deployment"`). Service =
 * the project's name, version = a tag-shaped ref or the short commit; other hooks are ignored.
 */

// GitLab writes "2021-04-28 21:50:00 +0200" (and sometimes "… UTC"): turned into RFC 3339 first.
const GITLAB_TIME_RE = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?) ?(UTC|[+-]\d{2}:?\d{2})$/;
export function gitlabTime(input: unknown): ReturnType<typeof parseTime> {
  if (typeof input === 'string') {
    const m = GITLAB_TIME_RE.exec(input.trim());
    if (m) return parseTime(`${m[1]}T${m[2]}${m[3] === 'UTC' ? 'Z' : m[3]}`);
  }
  return parseTime(input);
}
const time = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const r = gitlabTime(v);
  if (!r.ok) ctx.addIssue({ code: 'custom', message: r.error });
  else if (r.value === undefined) ctx.addIssue({ code: 'custom', message: 'required' });
  return r.ok ? r.value : undefined;
});

const DeploymentHook = z
  .object({
    object_kind: z.literal('deployment'),
    status: text,
    status_changed_at: time,
    deployment_id: z.number().int(),
    deployable_url: optText,
    environment: text,
    project: z.object({ name: text, path_with_namespace: optText, web_url: optText }).passthrough(),
    short_sha: optText,
    commit_url: optText,
    ref: optText,
    user: z.object({ username: text }).passthrough().nullish(),
  })
  .passthrough();

const STATUSES: Record<string, ChangeStatus | undefined> = {
  created: 'queued',
  running: 'in_progress',
  success: 'success',
  failed: 'failure',
  canceled: 'cancelled',
  // GitLab's own spelling varies between versions.
  cancelled: 'cancelled',
};

export function normaliseGitlab(body: unknown, ctx: ChangeNormaliseContext): ChangeNormaliseResult {
  const kind = (body as { object_kind?: unknown } | null)?.object_kind;
  if (kind !== 'deployment') {
    const what = typeof kind === 'string' ? kind : (ctx.eventType ?? 'unknown');
    return { type: 'ignored', reason: `GitLab event "${what.slice(0, 60)}"` };
  }
  const e = parseWith(DeploymentHook, body, 'GitLab deployment');
  const status = STATUSES[e.status];
  if (!status) return { type: 'ignored', reason: `GitLab deployment status "${e.status.slice(0, 40)}"` };
  const at = e.status_changed_at!;
  const sha = (e.commit_url ?? '').split('/').pop() || e.short_sha;
  return {
    type: 'events',
    warnings: [],
    events: [
      {
        service:
          (ctx.mapping && serviceOfRepository(ctx.mapping, e.project.name, e.project.path_with_namespace)) ??
          e.project.name,
        environment: e.environment,
        version: versionOf(undefined, e.ref, e.short_sha ?? sha) ?? `deployment-${e.deployment_id}`,
        ...(sha ? { commitSha: sha } : {}),
        ...(e.ref ? { ref: e.ref } : {}),
        status,
        url: e.deployable_url ?? e.project.web_url ?? '',
        actor: e.user?.username ?? 'unknown',
        // GitLab sends only the time of each status; the first one seen stands for the start.
        startedAt: at,
        ...(status === 'success' || status === 'failure' || status === 'cancelled' ? { finishedAt: at } : {}),
        statusAt: at,
        source: 'gitlab',
        externalId: `deployment:${e.project.path_with_namespace ?? e.project.name}:${e.deployment_id}`,
      },
    ],
  };
}
