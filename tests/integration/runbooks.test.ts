import { mkdtempSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunbookFiles, createRunbookFiles, deleteRunbook, getRunbook, listRunbookServices, normaliseService, setRunbook } from '../../src/adapters/runbooks/runbook-files';
import { DomainError } from '../../src/shared/domain-error';
import { createTestDb, dialects, type TestDb } from '../helpers/test-db';

const NOW = new Date('2026-11-21T12:00:00.000Z');

describe('runbook files', () => {
  let dir: string;
  let files: RunbookFiles;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'revenant-runbooks-'));
  });
  afterAll(() => {
    files?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads <service>.md, case-insensitively, and picks up edits, new files and deletions', async () => {
    files = createRunbookFiles(dir);
    expect(await files.get('payments')).toBeUndefined();

    writeFileSync(path.join(dir, 'Payments.md'), '# Payments\n## Fix\n- [safe] Check the dashboard\n');
    const first = await files.get('payments');
    expect(first).toMatchObject({ service: 'payments', source: 'file', runbook: { title: 'Payments' } });
    expect(first?.runbook?.sections[0].steps).toEqual([{ text: 'Check the dashboard', safety: 'safe' }]);
    expect(await files.get('payments')).toBe(first); // cached while unchanged

    writeFileSync(path.join(dir, 'Payments.md'), '# Payments v2\n## Fix\n- [dangerous] Fail over\n');
    // Force a different mtime even on coarse-grained filesystems: the stat check must catch it without the watcher.
    utimesSync(path.join(dir, 'Payments.md'), new Date(Date.now() + 5000), new Date(Date.now() + 5000));
    expect((await files.get('PAYMENTS'))?.runbook?.title).toBe('Payments v2');

    writeFileSync(path.join(dir, 'search.md'), '# Search\n');
    expect(await files.list()).toEqual(['payments', 'search']);

    unlinkSync(path.join(dir, 'search.md'));
    expect(await files.get('search')).toBeUndefined();
  });

  it('works without watching and when the folder does not exist yet', async () => {
    const missing = path.join(dir, 'later');
    const f = createRunbookFiles(missing, { watch: false });
    expect(await f.get('payments')).toBeUndefined();
    expect(await f.list()).toEqual([]);
    f.close();
  });

  it('refuses names that could leave the folder', () => {
    for (const bad of ['../etc/passwd', 'a/b', '..', '.hidden', '']) expect(() => normaliseService(bad)).toThrow(DomainError);
    expect(normaliseService('  Payments API ')).toBe('payments-api');
  });
});

describe.each(dialects())('runbooks stored per workspace on %s', (dialect) => {
  let t: TestDb;
  let dir: string;
  let files: RunbookFiles;
  beforeAll(async () => {
    t = await createTestDb(dialect);
    dir = mkdtempSync(path.join(tmpdir(), 'revenant-runbooks-'));
    writeFileSync(path.join(dir, 'payments.md'), '# Payments (file)\n## Fix\n- [safe] From the file\n');
    files = createRunbookFiles(dir);
  });
  afterAll(async () => {
    files?.close();
    rmSync(dir, { recursive: true, force: true });
    await t?.destroy();
  });

  it('a DB runbook wins over the file, per org', async () => {
    expect((await getRunbook(t.db, files, 'T1', 'payments'))?.source).toBe('file');
    await setRunbook(t.db, { orgId: 'T1', service: 'Payments', markdown: '# Payments (db)\n## Fix\n- [caution] From the DB', userId: 'U1', now: NOW });
    const r = await getRunbook(t.db, files, 'T1', 'payments');
    expect(r).toMatchObject({ source: 'db', updatedBy: 'U1', updatedAt: NOW.toISOString(), runbook: { title: 'Payments (db)' } });
    expect((await getRunbook(t.db, files, 'T2', 'payments'))?.runbook?.title).toBe('Payments (file)');
  });

  it('replaces on a second set; a link-only runbook keeps the file steps', async () => {
    await setRunbook(t.db, { orgId: 'T1', service: 'payments', url: 'https://wiki.example/payments', userId: 'U2', now: NOW });
    const r = await getRunbook(t.db, files, 'T1', 'payments');
    expect(r).toMatchObject({ source: 'db', url: 'https://wiki.example/payments', updatedBy: 'U2', runbook: { title: 'Payments (file)' } });
    await setRunbook(t.db, { orgId: 'T1', service: 'billing', url: 'https://wiki.example/billing', userId: 'U2', now: NOW });
    expect(await getRunbook(t.db, files, 'T1', 'billing')).toMatchObject({ source: 'db', url: 'https://wiki.example/billing', runbook: undefined });
    expect(await listRunbookServices(t.db, files, 'T1')).toEqual(['billing', 'payments']);
  });

  it('validates input', async () => {
    const base = { orgId: 'T1', service: 'payments', userId: 'U1', now: NOW };
    await expect(setRunbook(t.db, base)).rejects.toThrow(DomainError);
    await expect(setRunbook(t.db, { ...base, url: 'javascript:alert(1)' })).rejects.toThrow(/http/);
    await expect(setRunbook(t.db, { ...base, service: '../x', markdown: '# x' })).rejects.toThrow(DomainError);
    expect(await getRunbook(t.db, files, 'T1', '../../etc/passwd')).toBeUndefined();
  });

  it('deleting the DB runbook brings the file back', async () => {
    expect(await deleteRunbook(t.db, 'T1', 'payments')).toBe(true);
    expect((await getRunbook(t.db, files, 'T1', 'payments'))?.source).toBe('file');
    expect(await deleteRunbook(t.db, 'T1', 'payments')).toBe(false);
  });
});
