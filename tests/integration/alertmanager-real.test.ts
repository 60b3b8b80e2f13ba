import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connector } from '../helpers/alerts';
import { type Harness, startHarness, TEAM, waitFor } from '../helpers/harness';
import { dialects } from '../helpers/test-db';

/**
 * The real Prometheus Alertmanager (Debian's prometheus-alertmanager; `.ci/run` installs it) sending
 * to the bot's webhook over loopback: firing alerts open an incident and fill the watchlist, resolving
 * them clears it and tells the incident channel.
 */
const BINARY = process.env.ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager';
const present = existsSync(BINARY);
if (!present) console.warn(`[alertmanager-real] SKIPPED: ${BINARY} not found. Install the Debian package prometheus-alertmanager (.ci/run does) or set ALERTMANAGER_BIN.`);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe.skipIf(!present).each(dialects())('real Alertmanager → webhook (%s)', (dialect) => {
  let h: Harness;
  let am: ChildProcess | undefined;
  let amUrl = '';
  let dir = '';
  let amLog = '';

  beforeAll(async () => {
    h = await startHarness(dialect);
    const c = await connector(h.tdb.db, TEAM, 'alertmanager', 'real alertmanager');
    dir = mkdtempSync(path.join(tmpdir(), 'revenant-am-'));
    const port = await freePort();
    amUrl = `http://127.0.0.1:${port}`;
    writeFileSync(
      path.join(dir, 'am.yml'),
      [
        'route:',
        '  receiver: revenant',
        '  group_by: [alertname, service]',
        '  group_wait: 1s',
        '  group_interval: 2s',
        '  repeat_interval: 1h',
        'receivers:',
        '  - name: revenant',
        '    webhook_configs:',
        `      - url: ${h.app.url}/connectors/${c.id}/webhook`,
        '        send_resolved: true',
        '        http_config:',
        '          authorization:',
        '            type: Bearer',
        `            credentials: ${c.token}`,
        '',
      ].join('\n'),
    );
    am = spawn(BINARY, [`--config.file=${path.join(dir, 'am.yml')}`, `--storage.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='], { stdio: ['ignore', 'pipe', 'pipe'] });
    am.stdout?.on('data', (d) => (amLog += d));
    am.stderr?.on('data', (d) => (amLog += d));
    await waitFor(async () => (await fetch(`${amUrl}/-/ready`).catch(() => undefined))?.ok, 10_000, `Alertmanager ready (log: ${amLog.slice(-500)})`);
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

  const alerts = (endsAt: Date) =>
    ['web-1', 'web-2'].map((instance, i) => ({
      labels: { alertname: 'HighErrorRate', service: 'payments', env: 'prod', severity: 'critical', instance, error_rate: i ? '0.061' : '0.093' },
      annotations: { summary: `5xx rate high on ${instance}`, description: 'HTTP 5xx ratio above 5% for 5m' },
      startsAt: new Date(Date.now() - 60_000).toISOString(),
      endsAt: endsAt.toISOString(),
      generatorURL: 'http://prometheus.example:9090/graph',
    }));
  const push = async (body: unknown) => {
    const r = await fetch(`${amUrl}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(r.status, await r.text()).toBe(200);
  };
  const entry = () => h.tdb.db.selectFrom('watchlist').selectAll().where('org_id', '=', TEAM).where('service', '=', 'payments').where('environment', '=', 'prod').executeTakeFirst();
  const incident = () => h.tdb.db.selectFrom('incidents').selectAll().where('org_id', '=', TEAM).where('service', '=', 'payments').executeTakeFirst();

  it('firing alerts open an incident and fill the watchlist; resolved ones clear it and tell the channel', { timeout: 30_000 }, async () => {
    const started = Date.now();
    await push(alerts(new Date(Date.now() + 3_600_000)));
    const inc = await waitFor(async () => {
      const i = await incident();
      return i && i.signal_count === 2 ? i : undefined;
    }, 10_000, `an incident with both alerts (Alertmanager log: ${amLog.slice(-500)})`);
    expect(inc).toMatchObject({ source: 'auto', severity: 'SEV2', status: 'OPEN', open_signal_count: 2 });
    expect(await entry()).toMatchObject({ status: 'BREACHED', firing_count: 2, incident_id: inc.id, source: 'alertmanager' });
    const channel = (await waitFor(async () => (await incident())?.channel_id, 5_000, 'incident channel'))!;

    await push(alerts(new Date(Date.now() - 1_000)));
    await waitFor(async () => (await entry())?.status === 'CLEARED', 10_000, `watchlist cleared (Alertmanager log: ${amLog.slice(-500)})`);
    expect(await incident()).toMatchObject({ open_signal_count: 0, signal_count: 2, status: 'OPEN' });
    const told = await waitFor(() => h.slack.messages(channel).find((m) => /Every alert on this incident has resolved/.test(m.text ?? '')), 5_000, 'channel told');
    expect(JSON.stringify(told.blocks)).toContain('mark_mitigated');
    console.log(`[alertmanager-real ${dialect}] fired → incident → resolved → channel told in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
});
