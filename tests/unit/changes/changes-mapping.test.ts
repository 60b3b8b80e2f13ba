import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import examples from '@octokit/webhooks-examples';
import { afterAll, describe, expect, it } from 'vitest';
import { createMappingFile } from '../../../src/adapters/changes/mapping-file';
import {
  canonicalEnvironment,
  describeTarget,
  parseChangesMapping,
  rollbackTargetOf,
  serviceOfRepository,
} from '../../../src/changes/change.mapping';
import { normaliseChange } from '../../../src/changes/normalisers';

const example = (name: string, pred: (e: any) => boolean = () => true): any =>
  structuredClone((examples as any[]).find((d) => d.name === name)!.examples.find(pred));
const good = {
  repositories: { 'acme/checkout-service': 'checkout', web: 'storefront' },
  environments: { prod: 'production', PRD: 'production' },
  deployWorkflows: ['ship-*'],
  rollback: {
    checkout: { kind: 'github_workflow', repository: 'acme/checkout', workflow: 'rollback.yml' },
    search: { kind: 'deploy_hook', url: 'https://deploy.example/hooks/rollback' },
  },
};

describe('changes mapping (CHANGES_MAPPING_PATH)', () => {
  it('parses, fills defaults and answers lookups case-insensitively', () => {
    const r = parseChangesMapping(good);
    if (!r.ok) throw new Error(r.problems.join('; '));
    const m = r.mapping;
    expect(serviceOfRepository(m, 'checkout-service', 'Acme/Checkout-Service')).toBe('checkout');
    expect(serviceOfRepository(m, 'web', 'acme/web')).toBe('storefront');
    expect(serviceOfRepository(m, 'other', 'acme/other')).toBeUndefined();
    expect([canonicalEnvironment(m, 'prd'), canonicalEnvironment(m, 'staging')]).toEqual(['production', 'staging']);
    expect(rollbackTargetOf(m, 'Checkout')).toEqual({
      kind: 'github_workflow',
      repository: 'acme/checkout',
      workflow: 'rollback.yml',
      ref: 'main',
    });
    expect(describeTarget(rollbackTargetOf(m, 'search')!)).toBe('deploy hook deploy.example');
    expect(parseChangesMapping(null)).toEqual({
      ok: true,
      mapping: { repositories: {}, environments: {}, rollback: {} },
    });
  });

  it('names every problem with its path', () => {
    const r = parseChangesMapping({
      repositorys: {},
      rollback: {
        a: { kind: 'github_workflow', repository: 'nope', workflow: '' },
        b: { kind: 'ftp' },
        c: { kind: 'deploy_hook', url: 'x' },
      },
    });
    expect(r.ok).toBe(false);
    const problems = (r as { problems: string[] }).problems.join('\n');
    expect(problems).toMatch(/\(root\): Unrecognized key.*repositorys/);
    expect(problems).toMatch(/rollback\.a\.repository: must look like owner\/repo/);
    expect(problems).toMatch(/rollback\.a\.workflow/);
    expect(problems).toMatch(/rollback\.b\.kind/);
    expect(problems).toMatch(/rollback\.c\.url: must be an http\(s\) URL/);
  });

  it('maps the repository to its service and aliases the environment when normalising GitHub deployments', () => {
    const r = parseChangesMapping(good);
    const mapping = r.ok ? r.mapping : undefined;
    const p = example('deployment_status');
    p.repository.name = 'checkout-service';
    p.repository.full_name = 'acme/checkout-service';
    p.deployment.payload = {};
    p.deployment.environment = 'prod';
    p.deployment_status.environment = 'prod';
    p.deployment_status.state = 'success';
    const ctx = { eventType: 'deployment_status', receivedAt: '2026-12-02T10:00:00Z', deployWorkflows: [], mapping };
    const out = normaliseChange('github', p, ctx);
    expect(out.type === 'events' && out.events[0]).toMatchObject({ service: 'checkout', environment: 'production' });
    // An explicit payload service still wins over the mapping.
    p.deployment.payload = { service: 'payments' };
    const again = normaliseChange('github', p, ctx);
    expect(again.type === 'events' && again.events[0].service).toBe('payments');
  });

  const dir = mkdtempSync(path.join(tmpdir(), 'revenant-mapping-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the file: a bad version is reported and the previous good one kept; a fixed one is taken', () => {
    const file = path.join(dir, 'changes.yaml');
    const warnings: unknown[] = [];
    const logger = { warn: (o: unknown) => void warnings.push(o), info: () => undefined };
    writeFileSync(file, 'rollback:\n  checkout:\n    kind: deploy_hook\n    url: https://a.example/h\n');
    const src = createMappingFile(file, logger);
    expect(src.problems()).toEqual([]);
    expect(rollbackTargetOf(src.current(), 'checkout')).toMatchObject({ url: 'https://a.example/h' });

    writeFileSync(file, 'rollback:\n  checkout:\n    kind: deploy_hook\n    url: not a url and longer\n');
    src.reload();
    expect(src.problems()).toEqual([`${file}: rollback.checkout.url: must be an http(s) URL`]);
    expect(rollbackTargetOf(src.current(), 'checkout')).toMatchObject({ url: 'https://a.example/h' });
    expect(warnings).toHaveLength(1);

    writeFileSync(file, 'rollback: [unclosed\n');
    src.reload();
    expect(src.problems()[0]).toMatch(/not valid YAML/);
    expect(rollbackTargetOf(src.current(), 'checkout')).toBeDefined();

    writeFileSync(file, 'deployWorkflows: [release]\n');
    src.reload();
    expect(src.problems()).toEqual([]);
    expect(src.current()).toMatchObject({ deployWorkflows: ['release'], rollback: {} });
  });

  it('a missing file is reported and maps nothing; no path, no mapping and no problem', () => {
    const src = createMappingFile(path.join(dir, 'absent.yaml'), { warn: () => undefined, info: () => undefined });
    expect(src.problems()[0]).toMatch(/file not found/);
    expect(src.current().rollback).toEqual({});
    const none = createMappingFile(undefined, { warn: () => undefined, info: () => undefined });
    expect([none.problems(), none.current().rollback]).toEqual([[], {}]);
  });
});
