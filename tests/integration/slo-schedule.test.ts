import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSloService } from '../../src/app/slo.service';
import { ConfigError, loadConfig } from '../../src/config';
import { type Harness, startHarness, TEAM } from '../helpers/harness';
import { dialects } from '../helpers/test-db';

const SLO = `apiVersion: openslo/v1
kind: SLO
metadata: { name: api-availability }
spec:
  service: api
  indicator: { spec: { ratioMetric: { good: { metricSource: { spec: { query: good } } }, total: { metricSource: { spec: { query: total } } } } } }
  timeWindow: [{ duration: 28d, isRolling: true }]
  objectives: [{ target: 0.99 }]
`;

/** The scheduled evaluation runs once per org and minute however many replicas tick (schedule_leases). */
describe.each(dialects())('SLO evaluation schedule (%s)', (dialect) => {
  let h: Harness;
  let dir = '';
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'revenant-slo-sched-'));
    writeFileSync(path.join(dir, 'api.yaml'), SLO);
    h = await startHarness(dialect, { SLOS_PATH: dir, SLO_ORG: TEAM }, { startScheduler: false });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('two replicas ticking the same minute: one evaluates; without PROMETHEUS_URL the SLO is unknown', async () => {
    const replica = () => createSloService({ ...h.app.deps, sloSource: h.app.deps.slos!.source });
    const at = new Date('2026-12-01T10:00:30.000Z');
    const [a, b] = await Promise.all([
      replica().runScheduled(at, 'replica-a'),
      replica().runScheduled(at, 'replica-b'),
    ]);
    expect([...a, ...b]).toEqual([TEAM]);
    const next = new Date('2026-12-01T10:01:05.000Z');
    const [c, d] = await Promise.all([
      replica().runScheduled(next, 'replica-a'),
      replica().runScheduled(next, 'replica-b'),
    ]);
    expect([...c, ...d]).toEqual([TEAM]);
    const rows = await h.tdb.db
      .selectFrom('slo_evaluations')
      .selectAll()
      .where('org_id', '=', TEAM)
      .orderBy('at')
      .execute();
    expect(rows.map((r) => [r.at, r.status, r.problem])).toEqual([
      [at.toISOString(), 'unknown', 'PROMETHEUS_URL is not set'],
      [next.toISOString(), 'unknown', 'PROMETHEUS_URL is not set'],
    ]);
  });

  it('a bad SLO_EVAL_CRON or Prometheus setting fails at start with the variable named', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return [];
      } catch (e) {
        return (e as ConfigError).problems;
      }
    };
    expect(problems({ SLO_EVAL_CRON: 'every minute' })[0]).toMatch(/^SLO_EVAL_CRON: must be a five-field cron/);
    expect(problems({ PROMETHEUS_URL: 'prometheus:9090' })[0]).toMatch(
      /^PROMETHEUS_URL: PROMETHEUS_URL must be an http\(s\) URL/,
    );
    expect(problems({ PROMETHEUS_BASIC_AUTH: 'nocolon' })[0]).toMatch(/^PROMETHEUS_BASIC_AUTH: must be user:password/);
    expect(problems({ HEARTBEAT_CHECK_SECONDS: '0' })[0]).toMatch(
      /^HEARTBEAT_CHECK_SECONDS: must be a whole number from 1/,
    );
  });
});
