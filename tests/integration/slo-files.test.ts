import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSloFiles } from '../../src/adapters/slos/slo-files';

const slo = (name: string, target = '0.999') => `apiVersion: openslo/v1
kind: SLO
metadata: { name: ${name} }
spec:
  service: checkout
  indicator: { spec: { ratioMetric: { good: { metricSource: { spec: { query: good } } }, total: { metricSource: { spec: { query: total } } } } } }
  timeWindow: [{ duration: 28d, isRolling: true }]
  objectives: [{ target: ${target} }]
`;

/** SLOS_PATH on a real folder: changes are picked up, a bad edit keeps the file's last good SLOs. */
describe('SLO files', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'revenant-slofiles-'));
  const files = createSloFiles(dir);
  afterAll(() => {
    files.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const names = async () => (await files.current()).slos.map((s) => `${s.name}@${s.target}`).sort();

  it('reads, reloads on change, keeps the last good state of a broken file and reports it', async () => {
    writeFileSync(path.join(dir, 'a.yaml'), slo('a'));
    expect(await names()).toEqual(['a@0.999']);
    writeFileSync(path.join(dir, 'a.yaml'), slo('a', '0.99'));
    expect(await names()).toEqual(['a@0.99']);
    writeFileSync(path.join(dir, 'a.yaml'), `${slo('a', '0.95')}\n  objectives: [ {`); // half-saved
    expect(await names()).toEqual(['a@0.99']);
    const { problems } = await files.current();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: 'a.yaml', message: expect.stringContaining('not valid YAML') });
    writeFileSync(path.join(dir, 'b.yml'), slo('b'));
    writeFileSync(path.join(dir, 'notes.txt'), 'ignored');
    expect(await names()).toEqual(['a@0.99', 'b@0.999']);
    unlinkSync(path.join(dir, 'a.yaml'));
    expect(await names()).toEqual(['b@0.999']);
    expect((await files.current()).problems).toEqual([]);
  });

  it('a missing folder is a problem, not a crash; unset means no SLOs', async () => {
    const gone = createSloFiles(path.join(dir, 'nope'), { watch: false });
    const r = await gone.current();
    expect(r.slos).toEqual([]);
    expect(r.problems[0].message).toMatch(/SLOS_PATH .*nope cannot be read: ENOENT/);
    expect(await createSloFiles(undefined).current()).toEqual({ slos: [], problems: [] });
  });
});
