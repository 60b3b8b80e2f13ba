import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addConnector } from '../../src/app/connector.service';
import { createHeartbeatService } from '../../src/app/heartbeat.service';
import { ADMIN, type Harness, startHarness, TEAM, waitFor } from '../helpers/harness';
import { freePort } from '../helpers/prometheus';
import { dialects } from '../helpers/test-db';

/**
 * README "Heartbeats": the real Alertmanager (Debian's prometheus-alertmanager) routing its always-firing
 * Watchdog alert to a heartbeat connector, re-sent every repeat_interval: each delivery is a ping.
 */
const BINARY = process.env.ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager';
const present = existsSync(BINARY);
if (!present)
  console.warn(
    `[heartbeat-watchdog] SKIPPED: ${BINARY} not found. Install the Debian package prometheus-alertmanager (.ci/run does) or set ALERTMANAGER_BIN.`,
  );

describe.skipIf(!present).each(dialects())("Alertmanager's Watchdog as a heartbeat (%s)", (dialect) => {
  let h: Harness;
  let am: ChildProcess | undefined;
  let amUrl = '';
  let dir = '';
  let amLog = '';
  let id = '';

  beforeAll(async () => {
    h = await startHarness(dialect, { AUTO_DECLARE: 'off' }, { startScheduler: false });
    const admin = { kind: 'user' as const, id: ADMIN, role: 'admin' as const };
    const c = await addConnector(h.app.deps, {
      orgId: TEAM,
      actor: admin,
      kind: 'heartbeat',
      name: 'alertmanager every 5s grace 5s',
    });
    id = c.id;
    dir = mkdtempSync(path.join(tmpdir(), 'revenant-watchdog-'));
    const port = await freePort();
    amUrl = `http://127.0.0.1:${port}`;
    writeFileSync(
      path.join(dir, 'am.yml'),
      [
        'route:',
        '  receiver: blackhole',
        '  routes:',
        '    - matchers: [alertname = "Watchdog"]',
        '      receiver: revenant-heartbeat',
        '      group_wait: 0s',
        '      group_interval: 1s',
        '      repeat_interval: 1s',
        'receivers:',
        '  - name: blackhole',
        '  - name: revenant-heartbeat',
        '    webhook_configs:',
        `      - url: ${h.app.url}/connectors/${c.id}/webhook`,
        '        send_resolved: false',
        '        http_config:',
        '          authorization:',
        '            type: Bearer',
        `            credentials: ${c.token}`,
        '',
      ].join('\n'),
    );
    am = spawn(
      BINARY,
      [
        `--config.file=${path.join(dir, 'am.yml')}`,
        `--storage.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    am.stdout?.on('data', (d) => (amLog += d));
    am.stderr?.on('data', (d) => (amLog += d));
    await waitFor(
      async () => (await fetch(`${amUrl}/-/ready`).catch(() => undefined))?.ok,
      10_000,
      `Alertmanager ready (log: ${amLog.slice(-500)})`,
    );
  }, 30_000);

  afterAll(async () => {
    if (am && am.exitCode === null) {
      const exited = new Promise((r) => am!.once('exit', r));
      am.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (am.exitCode === null) am.kill('SIGKILL');
    }
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const lastPing = async () =>
    (
      await h.tdb.db
        .selectFrom('heartbeats')
        .select('last_ping_at')
        .where('connector_id', '=', id)
        .executeTakeFirstOrThrow()
    ).last_ping_at;

  it(
    'each Watchdog delivery is a ping, so the heartbeat is never missed while the pipeline works',
    { timeout: 30_000 },
    async () => {
      const watchdog = [
        {
          labels: { alertname: 'Watchdog', severity: 'none' },
          annotations: {
            summary: 'An alert that should always be firing to certify that Alertmanager is working properly.',
          },
          startsAt: new Date(Date.now() - 60_000).toISOString(),
          endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        },
      ];
      const r = await fetch(`${amUrl}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(watchdog),
      });
      expect(r.status, await r.text()).toBe(200);
      const first = await waitFor(lastPing, 15_000, `a first ping (Alertmanager log: ${amLog.slice(-500)})`);
      // Re-sent on repeat_interval: the ping moves on.
      await waitFor(
        async () => ((await lastPing()) ?? '') > first,
        15_000,
        `a repeated ping (Alertmanager log: ${amLog.slice(-500)})`,
      );
      expect(await createHeartbeatService(h.app.deps).check(new Date())).toEqual([]);
      const w = await h.tdb.db
        .selectFrom('watchlist')
        .selectAll()
        .where('org_id', '=', TEAM)
        .where('service', '=', 'alertmanager')
        .executeTakeFirst();
      expect(w).toBeUndefined();
    },
  );
});
