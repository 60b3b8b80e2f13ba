import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBench, SECTIONS } from '../../bench/bench.runner';
import type { BenchReport } from '../../bench/bench.types';
import { formatTable, markdownTable, writeReport } from '../../bench/report';
import { SCALES } from '../../bench/scale';
import { dialects } from '../helpers/test-db';

/**
 * Keeps `npm run bench` from rotting: every section runs at the tiny scale (a few requests, a few
 * hundred events) against the real bot process, the Slack fake and the bare-Hono floor. It asserts
 * the report's shape and that each piece measured something; speed is the bench's business, not this test's.
 */
const measured = (r: BenchReport, section: string) => r.rows.filter((x) => x.section === section && x.value !== null);

function expectWellFormed(report: BenchReport) {
  expect(report.machine.cores).toBeGreaterThan(0);
  expect(report.machine.memoryMb).toBeGreaterThan(0);
  expect(report.machine.cpuModel.length).toBeGreaterThan(0);
  expect(report.machine.node).toMatch(/^v\d+\./);
  expect(Date.parse(report.date)).not.toBeNaN();
  for (const row of report.rows) {
    expect(row.name.length, JSON.stringify(row)).toBeGreaterThan(0);
    expect([true, false, null]).toContain(row.pass);
    if (row.value === null) expect(row.note, row.name).toMatch(/^not measured: /);
    else expect(Number.isFinite(row.value), row.name).toBe(true);
    if (row.target) expect(row.unit.length, row.name).toBeGreaterThan(0);
    if (row.value !== null && row.target) expect(typeof row.pass, row.name).toBe('boolean');
    if (row.baseline?.value) expect(row.ratio, row.name).toBeCloseTo(row.value! / row.baseline.value, 1);
  }
  // A section that threw is reported as one "not measured" row; none may have.
  expect(report.rows.filter((r) => /the section failed/.test(r.note ?? '')).map((r) => r.note)).toEqual([]);
}

describe.each(dialects())('npm run bench at the tiny scale (%s)', (dialect) => {
  it(
    'measures every section, reports each figure with unit, same-run baseline and target, and writes the JSON',
    async () => {
      const sections = dialect === 'sqlite' ? SECTIONS : (['ingest'] as const);
      const report = await runBench({ scale: SCALES.tiny, sections: [...sections], dialects: [dialect], log: () => undefined });
      expectWellFormed(report);

      if (dialect === 'sqlite') {
        const ack = measured(report, 'ack');
        expect(ack.length).toBe(SCALES.tiny.ack.rates.length * 3);
        for (const r of ack) expect(r.baseline?.value, r.name).toBeGreaterThan(0);
        expect(ack.filter((r) => r.target).length).toBe(1);

        const storm = measured(report, 'storm');
        expect(storm.find((r) => /incidents opened/.test(r.name))?.value).toBeGreaterThanOrEqual(1);
        expect(storm.find((r) => /Slack write calls/.test(r.name))?.value).toBeGreaterThan(0);
        expect(storm.find((r) => /summary shows the final count/.test(r.name))?.value).toBeGreaterThan(0);

        const rebuild = measured(report, 'rebuild');
        expect(rebuild).toHaveLength(2);
        // The harness checks the rebuild wrote every incident and timeline row back (else the note says what is missing).
        expect(rebuild.find((r) => r.unit === 'events/s')?.note).toMatch(/^CPU \d/);

        expect(measured(report, 'digest')).toHaveLength(2);
        expect(measured(report, 'memory').length).toBeGreaterThanOrEqual(2);
        for (const r of measured(report, 'memory')) expect(r.value).toBeGreaterThan(10);
      }

      const bot = measured(report, 'ingest').filter((r) => r.name.startsWith('bot ') && r.name.includes(`(${dialect})`));
      // 4 phases × (alerts/s, p99), and fresh batches beside Alertmanager when it is installed
      expect(bot.filter((r) => !r.name.endsWith('beside Alertmanager')).length).toBe(8);
      for (const r of bot.filter((x) => x.unit === 'alerts/s')) {
        expect(r.value, r.name).toBeGreaterThan(0);
        expect(r.note, r.name).toBeUndefined(); // no failed requests
      }
      expect(measured(report, 'ingest').some((r) => r.name.startsWith('floor: raw better-sqlite3'))).toBe(true);

      const table = formatTable(report);
      for (const r of report.rows) expect(table).toContain(r.name);
      expect(markdownTable(report).split('\n')).toHaveLength(report.rows.length + 2);

      const dir = mkdtempSync(path.join(tmpdir(), 'revenant-bench-smoke-'));
      try {
        const file = path.join(dir, 'results.json');
        writeReport(file, report);
        expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(JSON.parse(JSON.stringify(report)));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    240_000,
  );
});
