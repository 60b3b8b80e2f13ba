import { Octokit } from '@octokit/rest';
import type { DeliveryOutcome } from '../../app/effects';
import { findRollback, recordRollbackDispatch, rollbackDepsOf, timeOutRollback } from '../../app/rollback.service';
import type { RollbackTarget } from '../../changes/change.mapping';
import { assertNever } from '../../shared/domain-error';
import type { Deliver, DeliveredEffect } from '../outbox/effect-registry';
import type { SlackDeliveryDeps } from '../slack/delivery/delivery.deps';
import { signWebhook } from '../webhooks/webhook.signature';
import type { StoredRollback } from '../db/rollback.repo';

/**
 * The configured rollback action, run from the outbox: a GitHub Actions `workflow_dispatch` (Octokit) or
 * a signed POST to a deploy hook (`Revenant-Signature`, as outgoing webhooks are signed). A 5xx, a 429 or
 * a network error is retried with the outbox's backoff, up to ROLLBACK_MAX_ATTEMPTS; anything else, or
 * the last attempt, records ROLLBACK_FAILED with the reason.
 */
export const ROLLBACK_MAX_ATTEMPTS = 6;
const TIMEOUT_MS = 15_000;

type Attempt = { ok: true; detail: string } | { ok: false; retry: boolean; detail: string };

function statusOutcome(status: number | undefined, what: string, message: string): Attempt {
  const retry = status === undefined || status >= 500 || status === 429;
  return {
    ok: false,
    retry,
    detail: `${what}${status ? ` answered HTTP ${status}` : ' unreachable'}: ${message}`.slice(0, 400),
  };
}

async function dispatchGithub(
  deps: SlackDeliveryDeps,
  t: RollbackTarget & { kind: 'github_workflow' },
  rb: StoredRollback,
): Promise<Attempt> {
  const token = deps.config.github.token;
  if (!token) return { ok: false, retry: false, detail: 'GITHUB_TOKEN is not set' };
  const [owner, repo] = t.repository.split('/');
  const kit = new Octokit({
    auth: token,
    baseUrl: deps.config.github.apiUrl.replace(/\/+$/, ''),
    userAgent: 'runbook-revenant',
    request: {
      retries: 0,
      fetch: (url: string | URL | Request, init?: RequestInit) =>
        fetch(url, { ...init, signal: init?.signal ?? AbortSignal.timeout(TIMEOUT_MS) }),
    },
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
  try {
    await kit.actions.createWorkflowDispatch({
      owner,
      repo,
      workflow_id: t.workflow,
      ref: t.ref,
      inputs: { service: rb.service, environment: rb.environment, version: rb.toVersion },
    });
    return { ok: true, detail: `workflow ${t.workflow} dispatched in ${t.repository}@${t.ref}` };
  } catch (e) {
    const err = e as { status?: number; message?: string };
    return statusOutcome(err.status, `GitHub (${t.workflow} in ${t.repository})`, err.message ?? String(e));
  }
}

async function postHook(
  deps: SlackDeliveryDeps,
  t: RollbackTarget & { kind: 'deploy_hook' },
  rb: StoredRollback,
): Promise<Attempt> {
  const secret = deps.config.changes.hookSecret;
  if (!secret) return { ok: false, retry: false, detail: 'ROLLBACK_HOOK_SECRET is not set' };
  const body = JSON.stringify({
    type: 'rollback.requested',
    rollbackId: rb.id,
    incidentId: rb.incidentId,
    service: rb.service,
    environment: rb.environment,
    fromVersion: rb.fromVersion,
    version: rb.toVersion,
    requestedBy: rb.requestedBy,
    requestedAt: rb.requestedAt,
  });
  try {
    const res = await fetch(t.url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
      headers: {
        'content-type': 'application/json',
        'user-agent': 'RunbookRevenant-Rollback/1',
        'revenant-signature': signWebhook(secret, body, Math.floor(deps.now().getTime() / 1000)),
        // The same on every retry: a hook that already started this rollback can recognise it.
        'revenant-delivery': rb.id,
        'revenant-event': 'rollback.requested',
      },
      body,
    });
    const text = (await res.text().catch(() => '')).slice(0, 200);
    if (res.ok) return { ok: true, detail: `deploy hook answered HTTP ${res.status}` };
    return statusOutcome(res.status, 'The deploy hook', text || res.statusText);
  } catch (e) {
    return statusOutcome(undefined, 'The deploy hook', e instanceof Error ? e.message : String(e));
  }
}

function dispatch(deps: SlackDeliveryDeps, rb: StoredRollback): Promise<Attempt> {
  const t = rb.target;
  switch (t.kind) {
    case 'github_workflow':
      return dispatchGithub(deps, t, rb);
    case 'deploy_hook':
      return postHook(deps, t, rb);
    default:
      return assertNever(t);
  }
}

async function deliverDispatch(
  deps: SlackDeliveryDeps,
  e: DeliveredEffect<'rollback.dispatch'>,
): Promise<DeliveryOutcome> {
  const rb = await findRollback(deps.db, e.orgId, e.payload.rollbackId);
  if (!rb) return { type: 'failed', error: `no rollback ${e.payload.rollbackId}` };
  // Already settled (an earlier try answered, or the incident moved on): never dispatch twice.
  if (rb.status !== 'requested') return { type: 'done', result: { skipped: rb.status } };
  const r = await dispatch(deps, rb);
  const record = (ok: boolean, detail: string) =>
    recordRollbackDispatch(rollbackDepsOf(deps), {
      orgId: e.orgId,
      incidentId: rb.incidentId,
      rollbackId: rb.id,
      ok,
      detail,
    });
  if (r.ok) {
    await record(true, r.detail);
    return { type: 'done', result: { detail: r.detail } };
  }
  if (r.retry && e.attempts < ROLLBACK_MAX_ATTEMPTS) return { type: 'retry', error: r.detail };
  await record(false, r.retry ? `${r.detail} (gave up after ${e.attempts} attempts)` : r.detail);
  return { type: 'done', result: { failed: r.detail } };
}

export function createRollbackDeliveries(deps: SlackDeliveryDeps): {
  'rollback.dispatch': Deliver<'rollback.dispatch'>;
  'rollback.timeout': Deliver<'rollback.timeout'>;
} {
  return {
    'rollback.dispatch': (e) => deliverDispatch(deps, e),
    'rollback.timeout': async (e) => {
      await timeOutRollback(rollbackDepsOf(deps), {
        orgId: e.orgId,
        incidentId: e.payload.incidentId,
        rollbackId: e.payload.rollbackId,
        waitMs: e.payload.waitMs,
      });
      return { type: 'done' };
    },
  };
}
