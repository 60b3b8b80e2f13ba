import { z } from 'zod';
import { parseWith } from '../../signals/normalisers/normaliser.helpers';
import { serviceOfRepository } from '../change.mapping';
import type { ChangeEvent, ChangeNormaliseContext, ChangeNormaliseResult, ChangeStatus } from '../change.types';
import { environmentFromName, matchesWorkflow, optText, reqTime, text, time, versionOf } from './change.helpers';

/**
 * GitHub webhooks (`X-GitHub-Event`): `deployment` (queued), `deployment_status` (its state),
 * `workflow_run` completed runs of configured deploy workflows, `release` published; `ping` is
 * answered. Service = `deployment.payload.service` or the repository name; version =
 * `deployment.payload.version`, a tag-shaped ref, else the short commit. Everything else is ignored.
 */

const user = z.object({ login: text }).passthrough();
const repository = z.object({ name: text, full_name: text, html_url: optText }).passthrough();
const deploymentPayload = z
  .union([z.record(z.string(), z.unknown()), z.string(), z.null()])
  .optional()
  .transform((p) => {
    const o = typeof p === 'object' && p ? p : {};
    const str = (k: string) =>
      typeof o[k] === 'string' && (o[k] as string).trim() ? (o[k] as string).trim() : undefined;
    return { service: str('service'), version: str('version') };
  });
const deployment = z
  .object({
    id: z.number().int(),
    sha: text,
    ref: optText,
    environment: text,
    payload: deploymentPayload,
    creator: user.nullish(),
    created_at: reqTime,
    updated_at: time.optional(),
    url: text,
  })
  .passthrough();

const DeploymentEvent = z.object({ deployment, repository, sender: user.optional() }).passthrough();
const DeploymentStatusEvent = z
  .object({
    deployment,
    deployment_status: z
      .object({
        state: text,
        creator: user.nullish(),
        environment: optText,
        target_url: optText,
        log_url: optText,
        environment_url: optText,
        created_at: reqTime,
        updated_at: time.optional(),
      })
      .passthrough(),
    repository,
    sender: user.optional(),
  })
  .passthrough();
const WorkflowRunEvent = z
  .object({
    action: text,
    workflow_run: z
      .object({
        id: z.number().int(),
        name: z.string().nullish(),
        path: z.string().nullish(),
        status: z.string().nullish(),
        conclusion: z.string().nullish(),
        head_sha: text,
        head_branch: optText,
        run_attempt: z.number().int().optional(),
        html_url: text,
        run_started_at: time.optional(),
        created_at: reqTime,
        updated_at: reqTime,
        actor: user.nullish(),
      })
      .passthrough(),
    workflow: z.object({ name: z.string().nullish(), path: z.string().nullish() }).passthrough().nullish(),
    repository,
    sender: user.optional(),
  })
  .passthrough();
const ReleaseEvent = z
  .object({
    action: text,
    release: z
      .object({
        id: z.number().int(),
        tag_name: text,
        html_url: text,
        target_commitish: optText,
        published_at: time.nullish(),
        created_at: reqTime,
        author: user.nullish(),
      })
      .passthrough(),
    repository,
  })
  .passthrough();

const DEPLOYMENT_STATES: Record<string, ChangeStatus | undefined> = {
  pending: 'queued',
  queued: 'queued',
  in_progress: 'in_progress',
  success: 'success',
  failure: 'failure',
  error: 'failure',
  // `inactive` only says a newer deployment replaced this one: not a status of this deployment.
  inactive: undefined,
};
const RUN_CONCLUSIONS: Record<string, ChangeStatus | undefined> = {
  success: 'success',
  failure: 'failure',
  timed_out: 'failure',
  startup_failure: 'failure',
  cancelled: 'cancelled',
};

type Deployment = z.infer<typeof deployment>;
type Repo = z.infer<typeof repository>;

/** The service a repository deploys: the mapping file's name for it, else the repository name. */
const serviceOf = (repo: Repo, ctx: ChangeNormaliseContext) =>
  (ctx.mapping && serviceOfRepository(ctx.mapping, repo.name, repo.full_name)) ?? repo.name;

function fromDeployment(
  d: Deployment,
  repo: Repo,
  status: ChangeStatus,
  statusAt: string,
  extra: Partial<ChangeEvent>,
  ctx: ChangeNormaliseContext,
): ChangeEvent {
  return {
    service: d.payload.service ?? serviceOf(repo, ctx),
    environment: d.environment,
    version: versionOf(d.payload.version, d.ref, d.sha)!,
    commitSha: d.sha,
    ...(d.ref ? { ref: d.ref } : {}),
    status,
    url: repo.html_url ? `${repo.html_url}/deployments` : d.url,
    actor: d.creator?.login ?? 'unknown',
    startedAt: d.created_at!,
    statusAt,
    source: 'github',
    externalId: `deployment:${d.id}`,
    ...extra,
  };
}

const events = (list: ChangeEvent[]): ChangeNormaliseResult => ({ type: 'events', events: list, warnings: [] });

export function normaliseGithub(body: unknown, ctx: ChangeNormaliseContext): ChangeNormaliseResult {
  const event = (ctx.eventType ?? '').trim();
  switch (event) {
    case 'ping': {
      const zen = (body as { zen?: unknown } | null)?.zen;
      return { type: 'ping', ...(typeof zen === 'string' ? { zen } : {}) };
    }
    case 'deployment': {
      const e = parseWith(DeploymentEvent, body, 'GitHub deployment');
      return events([fromDeployment(e.deployment, e.repository, 'queued', e.deployment.created_at!, {}, ctx)]);
    }
    case 'deployment_status': {
      const e = parseWith(DeploymentStatusEvent, body, 'GitHub deployment_status');
      const s = e.deployment_status;
      const status = DEPLOYMENT_STATES[s.state];
      if (!status) return { type: 'ignored', reason: `deployment_status state "${s.state.slice(0, 40)}"` };
      const at = s.updated_at ?? s.created_at!;
      return events([
        fromDeployment(e.deployment, e.repository, status, at, {
          ...(s.environment ? { environment: s.environment } : {}),
          url:
            s.target_url ??
            s.log_url ??
            s.environment_url ??
            fromDeployment(e.deployment, e.repository, status, at, {}, ctx).url,
          actor: s.creator?.login ?? e.deployment.creator?.login ?? 'unknown',
          ...(status === 'success' || status === 'failure' ? { finishedAt: at } : {}),
        }, ctx),
      ]);
    }
    case 'workflow_run': {
      const e = parseWith(WorkflowRunEvent, body, 'GitHub workflow_run');
      const run = e.workflow_run;
      if (e.action !== 'completed')
        return { type: 'ignored', reason: `workflow_run ${e.action.slice(0, 40)} (only completed runs count)` };
      const name = run.name || e.workflow?.name || undefined;
      const path = run.path || e.workflow?.path || undefined;
      if (!matchesWorkflow(ctx.deployWorkflows, name ?? undefined, path ?? undefined)) {
        return { type: 'ignored', reason: `workflow "${(name ?? path ?? '').slice(0, 80)}" is not a deploy workflow` };
      }
      const status = RUN_CONCLUSIONS[run.conclusion ?? ''];
      if (!status)
        return { type: 'ignored', reason: `workflow_run conclusion "${String(run.conclusion).slice(0, 40)}"` };
      return events([
        {
          service: serviceOf(e.repository, ctx),
          environment: environmentFromName(name ?? path ?? ''),
          version: versionOf(undefined, run.head_branch, run.head_sha)!,
          commitSha: run.head_sha,
          ...(run.head_branch ? { ref: run.head_branch } : {}),
          status,
          url: run.html_url,
          actor: run.actor?.login ?? e.sender?.login ?? 'unknown',
          startedAt: run.run_started_at ?? run.created_at!,
          finishedAt: run.updated_at!,
          statusAt: run.updated_at!,
          source: 'github',
          externalId: `workflow_run:${run.id}:${run.run_attempt ?? 1}`,
        },
      ]);
    }
    case 'release': {
      const e = parseWith(ReleaseEvent, body, 'GitHub release');
      if (e.action !== 'published')
        return { type: 'ignored', reason: `release ${e.action.slice(0, 40)} (only published releases count)` };
      const r = e.release;
      const at = r.published_at ?? r.created_at!;
      return events([
        {
          service: serviceOf(e.repository, ctx),
          environment: 'release',
          version: r.tag_name,
          ...(r.target_commitish ? { ref: r.target_commitish } : {}),
          status: 'success',
          url: r.html_url,
          actor: r.author?.login ?? 'unknown',
          startedAt: at,
          finishedAt: at,
          statusAt: at,
          source: 'github',
          externalId: `release:${r.id}`,
        },
      ]);
    }
    default:
      return { type: 'ignored', reason: event ? `GitHub event "${event.slice(0, 60)}"` : 'no X-GitHub-Event header' };
  }
}
