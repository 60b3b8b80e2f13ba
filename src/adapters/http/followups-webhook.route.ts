import { bodyLimit } from './body-limit';
import { applyTrackerChange, type TrackerChange } from '../../app/followups.service';
import type { AppDeps } from '../../app/deps';
import { followUpDepsOf } from '../github/followups.wiring';
import { MAX_CHANGE_BODY_BYTES, verifyGithubSignature } from './changes.route';
import type { RouteModule } from './http.app';

/**
 * `POST /webhooks/github/issues`: GitHub's `issues` webhook for exported follow-ups (a route of its own, not a
 * change connector: one repository serves every workspace that exports to it, and the issue finds its
 * follow-up). Signed with `FOLLOWUPS_WEBHOOK_SECRET` (`X-Hub-Signature-256`, checked by @octokit/webhooks).
 * closed → done, reopened → reopened, a title edit → renamed. Unknown issues and other actions: 202, ignored.
 */
export const FOLLOWUPS_WEBHOOK_PATH = '/webhooks/github/issues';

interface IssuesPayload {
  action?: unknown;
  issue?: { number?: unknown; title?: unknown; pull_request?: unknown };
  changes?: { title?: { from?: unknown } };
  repository?: { full_name?: unknown };
  sender?: { login?: unknown };
}

/** The change a payload asks for, or why it is ignored. */
function changeOf(p: IssuesPayload): TrackerChange['change'] | string {
  const title = p.issue?.title;
  switch (p.action) {
    case 'closed':
      return { type: 'closed' };
    case 'reopened':
      return { type: 'reopened' };
    case 'edited':
      return p.changes?.title && typeof title === 'string' ? { type: 'retitled', title } : 'edited without a title change';
    default:
      return `action ${typeof p.action === 'string' ? p.action : '(none)'} is not tracked`;
  }
}

export const followUpsWebhookRoute: RouteModule = (app, deps: AppDeps) => {
  const limit = bodyLimit({
    maxSize: MAX_CHANGE_BODY_BYTES,
    onError: (c) => c.json({ error: 'payload_too_large', message: `The body is over the ${MAX_CHANGE_BODY_BYTES} byte limit.` }, 413),
  });
  app.post(FOLLOWUPS_WEBHOOK_PATH, limit, async (c) => {
    const secret = deps.config.followUps?.webhookSecret;
    if (!secret) {
      return c.json({ error: 'not_configured', message: 'Set FOLLOWUPS_WEBHOOK_SECRET to receive GitHub issue events.' }, 503);
    }
    const raw = Buffer.from(await c.req.arrayBuffer()).toString('utf8');
    const signature = c.req.header('x-hub-signature-256') ?? '';
    const valid = signature.startsWith('sha256=') && (await verifyGithubSignature(secret, raw, signature).catch(() => false));
    if (!valid) {
      return c.json({ error: 'invalid_signature', message: 'Missing or wrong X-Hub-Signature-256 for this webhook secret.' }, 401);
    }
    const event = c.req.header('x-github-event') ?? '';
    if (event === 'ping') return c.json({ ok: true }, 200);
    if (event !== 'issues') return c.json({ result: 'ignored', reason: `event ${event || '(none)'} is not issues` }, 202);
    let payload: IssuesPayload;
    try {
      payload = JSON.parse(raw) as IssuesPayload;
    } catch {
      return c.json({ error: 'invalid_payload', message: 'The body is not JSON.' }, 400);
    }
    const repository = payload.repository?.full_name;
    const number = payload.issue?.number;
    if (typeof repository !== 'string' || typeof number !== 'number' || !Number.isInteger(number)) {
      return c.json({ error: 'invalid_payload', message: 'An issues event needs repository.full_name and issue.number.' }, 400);
    }
    if (payload.issue?.pull_request) return c.json({ result: 'ignored', reason: 'a pull request' }, 202);
    const change = changeOf(payload);
    if (typeof change === 'string') return c.json({ result: 'ignored', reason: change }, 202);
    const sender = typeof payload.sender?.login === 'string' ? payload.sender.login : 'unknown';
    // Without a delivery id, the signed body stands in for it: a replay of the same body changes nothing.
    const deliveryId = c.req.header('x-github-delivery') || signature.slice(7, 47);
    const r = await applyTrackerChange(followUpDepsOf(deps), { repository, number, change, sender, deliveryId });
    if (r.result === 'unknown_issue') return c.json({ result: 'ignored', reason: 'no follow-up is exported to this issue' }, 202);
    return c.json(r, 202);
  });
};
