import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps } from '../../../app/deps';
import type { GuidanceAction } from '../../../guidance/guidance.types';
import { DomainError, type DomainErrorCode } from '../../../shared/domain-error';
import { type GitHubPrErrorCode, isGitHubPrError } from '../../github/github-pr.errors';
import { guidanceServiceFor } from '../../slack/guidance/guidance.wiring';
import { postmortemServiceForOrg } from '../../slack/postmortems/postmortem.wiring';
import { callerOf } from './api-incidents.routes';
import type { ApiEnv } from './api.guards';
import { apiRoute, register } from './api.openapi';
import { IncidentParams } from './api.schemas';

const BASE = '/orgs/{orgId}/incidents/{incidentId}';

const GuidanceStep = z
  .object({
    text: z.string(),
    safety: z.enum(['safe', 'caution', 'dangerous', 'unknown']),
    source: z.string().openapi({ description: '`runbook:<section>`, `incident:<number>` or `model`' }),
  })
  .openapi('GuidanceStep');
const Guidance = z
  .object({
    incidentNumber: z.number().int(),
    generator: z.enum(['llm', 'deterministic']),
    model: z.string().nullable(),
    fallbackReason: z.string().nullable(),
    actions: z.array(GuidanceStep),
    questions: z.array(z.string()),
    related: z.array(z.object({ number: z.number().int(), title: z.string(), why: z.array(z.string()) })),
  })
  .openapi('Guidance');
const Draft = z
  .object({ version: z.number().int(), duplicate: z.boolean() })
  .openapi('PostmortemDraftResult');
const PullRequest = z
  .object({
    number: z.number().int(),
    url: z.string(),
    created: z.boolean(),
    updated: z.boolean(),
    keptGitHubEdits: z.boolean(),
    branch: z.string(),
    version: z.number().int(),
  })
  .openapi('PostmortemPullRequest');

/** GitHub's refusals as the domain codes the API answers with (a setup problem is 422, GitHub trouble 503). */
const PR_ERROR: Record<GitHubPrErrorCode, DomainErrorCode> = {
  not_configured: 'invalid_input',
  bad_credentials: 'invalid_input',
  repo_not_found: 'invalid_input',
  forbidden: 'invalid_input',
  branch_exists: 'conflict',
  rate_limited: 'unavailable',
  unavailable: 'unavailable',
  github_error: 'unavailable',
};

const sourceOf = (s: GuidanceAction['source']): string =>
  s.kind === 'runbook' ? `runbook:${s.section}` : s.kind === 'incident' ? `incident:${s.number}` : 'model';

/**
 * Guidance and postmortems through the API: the same services as `/incident guidance` and `/incident postmortem`.
 * Guidance read here is posted nowhere; a draft's preview is posted in the incident channel, as from Slack.
 */
export function postmortemRoutes(api: OpenAPIHono<ApiEnv>, deps: AppDeps) {
  const guidance = guidanceServiceFor(deps);
  const idem = (c: Parameters<typeof callerOf>[0]) => {
    const key = c.req.header('idempotency-key');
    return key ? `api:${callerOf(c).actor.id}:${key}` : undefined;
  };
  const incidentId = (c: Parameters<typeof callerOf>[0]) => c.req.param('incidentId') as string;

  register(
    api,
    apiRoute({
      method: 'get',
      path: `${BASE}/guidance`,
      tag: 'Knowledge',
      summary: 'Suggested next steps from runbooks, past incidents and (when configured) the model',
      params: IncidentParams,
      ok: { status: 200, schema: Guidance, description: 'Guidance' },
    }),
    async (c) => {
      const { orgId, actor } = callerOf(c);
      const { incidentNumber, result } = await guidance.preview({ orgId, actor, incidentId: incidentId(c) });
      const g = result.guidance;
      return c.json(
        {
          incidentNumber,
          generator: g.generator,
          model: result.model ?? null,
          fallbackReason: result.fallbackReason ?? null,
          actions: g.actions.map((a) => ({ text: a.text, safety: a.safety, source: sourceOf(a.source) })),
          questions: g.questions,
          related: g.related.map((r) => ({ number: r.number, title: r.title, why: r.why })),
        },
        200,
      );
    },
  );

  register(
    api,
    apiRoute({
      method: 'post',
      path: `${BASE}/postmortem`,
      tag: 'Knowledge',
      summary: 'Draft the next postmortem version (its preview is posted in the incident channel)',
      params: IncidentParams,
      ok: { status: 201, schema: Draft, description: 'Drafted' },
    }),
    async (c) => {
      const { orgId, actor } = callerOf(c);
      const service = await postmortemServiceForOrg(deps, orgId);
      const r = await service.draft({ orgId, actor, incidentId: incidentId(c), idempotencyKey: idem(c) });
      return c.json({ version: r.version, duplicate: r.duplicate }, 201);
    },
  );

  register(
    api,
    apiRoute({
      method: 'post',
      path: `${BASE}/postmortem/pr`,
      tag: 'Knowledge',
      summary: 'Open (or update) the postmortem pull request from the latest draft',
      params: IncidentParams,
      ok: { status: 200, schema: PullRequest, description: 'The pull request' },
    }),
    async (c) => {
      const { orgId, actor } = callerOf(c);
      const service = await postmortemServiceForOrg(deps, orgId);
      const pr = await service.openPullRequest({ orgId, actor, incidentId: incidentId(c) }).catch((e: unknown) => {
        throw isGitHubPrError(e) ? new DomainError(PR_ERROR[e.code], e.message) : e;
      });
      const { number, url, created, updated, keptGitHubEdits, branch, version } = pr;
      return c.json({ number, url, created, updated, keptGitHubEdits, branch, version }, 200);
    },
  );
}
