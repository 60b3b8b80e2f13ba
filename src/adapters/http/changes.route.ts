import { Webhooks } from '@octokit/webhooks';
import type { Context } from 'hono';
import { bodyLimit } from './body-limit';
import { type ChangesDeps, ingestChanges } from '../../app/changes.service';
import type { AppDeps } from '../../app/deps';
import { rollbackDepsOf } from '../../app/rollback.service';
import { isChangeConnectorKind } from '../../changes/change.types';
import { isDomainError } from '../../shared/domain-error';
import type { ChangeConnectorRow } from '../db/changes.repo';
import { lookupConnector } from './connector-lookup';
import type { RouteModule } from './http.app';

export const MAX_CHANGE_BODY_BYTES = 1024 * 1024;

/** GitHub's own check (HMAC-SHA256, constant-time compare) from @octokit/webhooks. */
export const verifyGithubSignature: ChangesDeps['verifyGithubSignature'] = (secret, payload, signature) =>
  new Webhooks({ secret }).verify(payload, signature);

export const changesDepsOf = (deps: AppDeps): ChangesDeps => ({
  db: deps.db,
  now: deps.now,
  verifyGithubSignature,
  mapping: deps.changesMapping,
  rollback: rollbackDepsOf(deps),
});

async function handle(c: Context, deps: AppDeps, connector: ChangeConnectorRow): Promise<Response> {
  const raw = Buffer.from(await c.req.arrayBuffer());
  try {
    const r = await ingestChanges(changesDepsOf(deps), connector, (h) => c.req.header(h), raw);
    if (r.type === 'unauthorized') return c.json({ error: r.error, message: r.message }, 401);
    const { type: _type, ...body } = r;
    if (r.unmapped.length)
      deps.logger.info({ connector: connector.id, services: r.unmapped }, 'deployment for an unmapped service');
    return c.json(body, 202);
  } catch (e) {
    if (!isDomainError(e)) throw e; // 500: nothing was stored, the sender retries
    return c.json(
      { error: e.code === 'invalid_input' ? 'invalid_payload' : e.code, message: e.reason },
      e.code === 'invalid_input' ? 400 : 503,
    );
  }
}

/**
 * Change connectors (github, gitlab, argocd, changes) share `POST /connectors/:id/webhook` with the
 * alert connectors; this runs first and hands every other kind on. Registered before connectorsRoute.
 */
export const changesRoute: RouteModule = (app, deps: AppDeps) => {
  const limit = bodyLimit({
    maxSize: MAX_CHANGE_BODY_BYTES,
    onError: (c) => {
      c.header('connection', 'close');
      return c.json(
        { error: 'payload_too_large', message: `The body is over the ${MAX_CHANGE_BODY_BYTES} byte (1 MiB) limit.` },
        413,
      );
    },
  });
  app.use('/connectors/:connectorId/webhook', async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const connector = await lookupConnector(c, deps.db);
    if (!connector || !isChangeConnectorKind(connector.kind)) return next();
    return limit(c, async () => {
      c.res = await handle(c, deps, connector);
    });
  });
};
