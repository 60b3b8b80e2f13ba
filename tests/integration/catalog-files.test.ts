import { WebClient } from '@slack/web-api';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, unlinkSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCatalogFiles, type CatalogFiles } from '../../src/adapters/catalog/catalog-files';
import { inviteOwners, ownerInvitees } from '../../src/adapters/slack/delivery/owner-invite';
import { inviteUsers } from '../../src/adapters/slack/delivery/workspace-lookups';
import { quietLogger } from '../../src/adapters/slack-fake/slack-fake.client';
import { startSlackFake, type SlackFake } from '../../src/adapters/slack-fake/slack-fake.server';
import { createCatalogService } from '../../src/app/catalog.service';
import { waitFor } from '../helpers/wait';

const component = (name: string, extra = '') =>
  `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${name}\nspec:\n  owner: team-a\n${extra}`;
const GROUP =
  'apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: { name: team-a }\nspec: { type: team, members: [U0004, user:alice] }\n';
const names = (c: CatalogFiles) => c.current().services.map((s) => s.name);

describe('catalog files (CATALOG_PATH)', () => {
  let dir: string;
  const open: CatalogFiles[] = [];
  const files = (p: string | undefined, o: Parameters<typeof createCatalogFiles>[1] = {}) => {
    const f = createCatalogFiles(p, { watch: false, pollMs: 0, ...o });
    open.push(f);
    return f;
  };
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'revenant-catalog-files-'));
  });
  afterEach(() => {
    for (const f of open.splice(0)) f.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads every *.yaml/*.yml a few levels deep, ignoring other files and dot folders', async () => {
    const root = path.join(dir, 'deep');
    mkdirSync(path.join(root, 'teams/a/services'), { recursive: true });
    mkdirSync(path.join(root, '.git'), { recursive: true });
    writeFileSync(path.join(root, 'groups.yml'), GROUP);
    writeFileSync(path.join(root, 'teams/a/services/catalog-info.yaml'), component('checkout'));
    writeFileSync(path.join(root, '.git/config.yaml'), component('hidden'));
    writeFileSync(path.join(root, 'README.md'), '# not yaml');
    const c = await files(root).reload();
    expect(c.services.map((s) => s.name)).toEqual(['checkout']);
    expect(c.groups.map((g) => g.name)).toEqual(['team-a']);
    expect(c.problems).toEqual([]);
  });

  it("keeps a broken file's last good version (and says so); a removed file takes its services with it", async () => {
    const root = path.join(dir, 'edits');
    mkdirSync(root);
    writeFileSync(path.join(root, 'a.yaml'), `${GROUP}---\n${component('checkout')}`);
    writeFileSync(path.join(root, 'b.yaml'), component('payments'));
    const f = files(root);
    await f.reload();
    expect(names(f)).toEqual(['checkout', 'payments']);

    // A half-saved edit: the file no longer parses.
    writeFileSync(path.join(root, 'b.yaml'), `${component('payments')}  dependsOn: [component:ledger\n`);
    const broken = await f.reload();
    expect(names(f)).toEqual(['checkout', 'payments']);
    expect(broken.problems).toHaveLength(1);
    expect(broken.problems[0].file).toBe('b.yaml');
    expect(broken.problems[0].message).toMatch(/YAML error at line \d+: .*; keeping the version loaded at \d{4}-/);

    // Fixed: the new version applies.
    writeFileSync(path.join(root, 'b.yaml'), `${component('payments')}  dependsOn: [component:checkout]\n`);
    const fixed = await f.reload();
    expect(fixed.problems).toEqual([]);
    expect(f.current().services.find((s) => s.name === 'checkout')!.dependencyOf).toEqual(['payments']);

    unlinkSync(path.join(root, 'b.yaml'));
    await f.reload();
    expect(names(f)).toEqual(['checkout']);
  });

  it('keeps the whole previous state when the folder cannot be read, and recovers when it is back', async () => {
    const root = path.join(dir, 'moving');
    mkdirSync(root);
    writeFileSync(path.join(root, 'a.yaml'), component('checkout'));
    const f = files(root);
    const first = await f.reload();
    renameSync(root, `${root}-away`);
    const stale = await f.reload();
    expect(stale.services.map((s) => s.name)).toEqual(['checkout']);
    expect(stale.loadedAt).toBe(first.loadedAt);
    expect(stale.problems[0].message).toMatch(
      /CATALOG_PATH .*moving cannot be read \(ENOENT\); keeping the catalog loaded at/,
    );
    renameSync(`${root}-away`, root);
    expect((await f.reload()).problems.filter((p) => /cannot be read/.test(p.message))).toEqual([]);
  });

  it('notices a change by itself (watcher or stat poll) and reports problems once per change', async () => {
    const root = path.join(dir, 'live');
    mkdirSync(root);
    writeFileSync(path.join(root, 'a.yaml'), `${GROUP}---\n${component('checkout')}`);
    const reports: number[] = [];
    const f = files(root, { watch: true, pollMs: 50, onProblems: (p) => reports.push(p.length) });
    await f.reload();
    writeFileSync(path.join(root, 'b.yaml'), component('payments'));
    await waitFor(() => names(f).includes('payments'), 10_000, 'the new file to load');
    writeFileSync(path.join(root, 'c.yaml'), 'kind: [');
    await waitFor(() => f.current().problems.length === 1, 10_000, 'the bad file to be reported');
    await f.reload();
    await f.reload();
    expect(reports).toEqual([1]);
  });

  it('CATALOG_PATH may be one file; unset means an empty catalog; huge files are refused', async () => {
    const one = path.join(dir, 'single.yaml');
    writeFileSync(one, `${GROUP}---\n${component('solo')}`);
    expect((await files(one).reload()).services.map((s) => s.name)).toEqual(['solo']);
    expect(await files(undefined).reload()).toMatchObject({ services: [], problems: [] });
    const big = path.join(dir, 'big');
    mkdirSync(big);
    writeFileSync(path.join(big, 'huge.yaml'), `# ${'x'.repeat(1024 * 1024 + 10)}\n`);
    expect((await files(big).reload()).problems[0].message).toMatch(/larger than 1048576 bytes; skipped/);
  });

  it('reads runbook files only from inside CATALOG_PATH', async () => {
    const root = path.join(dir, 'runbooks');
    mkdirSync(path.join(root, 'docs'), { recursive: true });
    writeFileSync(path.join(root, 'docs/checkout.md'), '# Checkout\n- step');
    writeFileSync(path.join(dir, 'outside.md'), 'secret');
    const f = files(root);
    await f.reload();
    expect(await f.readFile('docs/checkout.md')).toMatch(/# Checkout/);
    expect(await f.readFile('../outside.md')).toBeUndefined();
    expect(await f.readFile(path.join(dir, 'outside.md'))).toBeUndefined();
    expect(await f.readFile('docs/missing.md')).toBeUndefined();
  });
});

describe('owner invites against the Slack fake (real WebClient)', () => {
  let fake: SlackFake;
  let client: WebClient;
  beforeAll(async () => {
    fake = await startSlackFake();
    client = new WebClient('xoxb-test', { slackApiUrl: fake.url, retryConfig: { retries: 0 }, logger: quietLogger });
    fake.addUsergroup({ id: 'S0GOOD', handle: 'good', name: 'Good', users: ['U0002', 'U0003'] });
  });
  afterAll(async () => fake?.close());

  const catalogWith = async (groupAnnotation: string) => {
    const root = mkdtempSync(path.join(tmpdir(), 'revenant-owners-'));
    const group = `apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-a\n  annotations: { revenant/slack-usergroup: ${groupAnnotation} }\nspec: { type: team, members: [U0004, user:alice, U9GONE] }\n`;
    writeFileSync(path.join(root, 'c.yaml'), `${group}---\n${component('checkout')}`);
    const f = createCatalogFiles(root, { watch: false, pollMs: 0 });
    await f.reload();
    f.close();
    return createCatalogService(f);
  };

  it('expands the user group and adds Slack ids listed as members', async () => {
    const catalog = await catalogWith('S0GOOD');
    const problems: string[] = [];
    expect(await ownerInvitees(catalog, client, 'checkout', (m) => problems.push(m))).toEqual([
      'U0004',
      'U9GONE',
      'U0002',
      'U0003',
    ]);
    expect(await ownerInvitees(catalog, client, 'unknown-service', (m) => problems.push(m))).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('a user group Slack does not know is reported, the members still come; a stale id drops only itself', async () => {
    const catalog = await catalogWith('S0NOPE');
    const problems: string[] = [];
    const ids = await ownerInvitees(catalog, client, 'checkout', (m) => problems.push(m));
    expect(ids).toEqual(['U0004', 'U9GONE']);
    expect(problems).toEqual(['user group S0NOPE of team-a: no_such_subteam']);
    const channel = fake.addChannel({ name: 'inc-9-owners' });
    await inviteOwners(
      (users) => inviteUsers(client, channel.id, users),
      ids,
      (m) => problems.push(m),
    );
    expect(fake.channel(channel.id)!.members).toContain('U0004');
    expect(problems).toContain('could not invite owner U9GONE: user_not_found');
  });
});
