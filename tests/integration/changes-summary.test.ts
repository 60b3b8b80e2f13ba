import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addConnector } from '../../src/app/connector.service';
import { bearer, genericSignal } from '../helpers/alerts';
import { ADMIN, type Harness, startHarness, TEAM, waitFor } from '../helpers/harness';
import { dialects } from '../helpers/test-db';

describe.each(dialects())('pinned summary "Changes" line (%s)', (dialect) => {
  let h: Harness;
  const send = async (id: string, token: string, body: unknown) =>
    fetch(`${h.app.url}/connectors/${id}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(token) },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    h = await startHarness(dialect);
  });
  afterAll(async () => h?.close());

  it('names the deployment of the service shortly before the first alert: version, who, how long before, link', async () => {
    const admin = { kind: 'user' as const, id: ADMIN, role: 'admin' as const };
    const deps = { db: h.tdb.db, config: h.config, now: () => new Date() };
    const changes = await addConnector(deps, { orgId: TEAM, actor: admin, kind: 'changes' });
    const alerts = await addConnector(deps, { orgId: TEAM, actor: admin, kind: 'generic' });
    const min = (n: number) => new Date(Date.now() - n * 60_000).toISOString();
    const deploy = (o: Record<string, unknown>) => ({
      service: 'checkout',
      environment: 'prod',
      status: 'success',
      actor: 'alice',
      ...o,
    });
    expect(
      (
        await send(changes.id, changes.token, [
          deploy({ version: 'v1', startedAt: min(300), finishedAt: min(298), externalId: 'old' }), // outside the 2 h window
          deploy({
            version: 'v2',
            startedAt: min(14),
            finishedAt: min(12),
            externalId: 'new',
            url: 'https://ci.example/runs/2',
          }),
          deploy({ service: 'search', version: 's1', startedAt: min(10), externalId: 'other' }),
        ])
      ).status,
    ).toBe(202);

    expect(
      (
        await send(
          alerts.id,
          alerts.token,
          genericSignal({ serviceName: 'checkout', severity: 'critical', metrics: { errorRate: 0.2 } }),
        )
      ).status,
    ).toBe(202);
    const inc = await waitFor(
      async () => {
        const row = await h.tdb.db
          .selectFrom('incidents')
          .selectAll()
          .where('org_id', '=', TEAM)
          .where('service', '=', 'checkout')
          .executeTakeFirst();
        return row?.summary_ts ? row : undefined;
      },
      8000,
      'auto-declared incident with its summary',
    );
    await h.settle();
    const summary = h.slack.messages(inc.channel_id!).find((m) => m.ts === inc.summary_ts)!;
    const text = JSON.stringify(summary.blocks);
    expect(text).toMatch(
      /\*Changes\* checkout <https:\/\/ci.example\/runs\/2\|v2> → `prod` by alice, 1[23] min before the first signal/,
    );
    expect(text).not.toMatch(/\bv1\b/);
    expect(text).not.toMatch(/\bs1\b/);
  });
});
