import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildCatalog } from '../../../src/catalog/catalog.build';
import { dependencyGraph, dependencyPath, findCycles } from '../../../src/catalog/catalog.graph';
import { parseCatalogFile, parseCatalogFiles, refName } from '../../../src/catalog/catalog.parser';

const AT = '2026-12-02T08:00:00.000Z';
const build = (files: Array<{ file: string; text: string }>) => {
  const p = parseCatalogFiles(files);
  return buildCatalog(p.entities, p.problems, AT);
};

const SHOP = `
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-payments
  annotations:
    revenant/slack-usergroup: S0PAYMENTS
spec:
  type: team
  profile: { displayName: Payments team }
  members: [user:default/U0003, alice]
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout
  description: The checkout flow
  annotations:
    revenant/tier: "1"
    revenant/slack-channel: "#checkout"
    revenant/runbook: https://runbooks.example.com/checkout
spec:
  type: service
  lifecycle: production
  owner: group:default/team-shop
  system: shop
  dependsOn: [component:default/payments, resource:checkout-db]
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: Payments
  annotations:
    revenant/tier: tier2
    revenant/runbook: runbooks/payments.md
spec:
  type: service
  lifecycle: production
  owner: team-payments
  dependencyOf: [component:cart]
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: team-shop }
spec: { type: team, members: [] }
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata: { name: checkout-db }
spec: { type: database, owner: team-shop }
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: { name: cart }
spec: { type: service, lifecycle: production, owner: team-shop }
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: { name: alice }
spec: {}
`;

describe('catalog parser and builder', () => {
  it('reads Components, Groups and Resources from one multi-document file, relations both ways', () => {
    const c = build([{ file: 'shop.yaml', text: SHOP }]);
    expect(c.problems).toEqual([]);
    expect(c.services.map((s) => s.name)).toEqual(['cart', 'checkout', 'payments']);
    const checkout = c.services.find((s) => s.name === 'checkout')!;
    expect(checkout).toMatchObject({
      owner: 'team-shop',
      system: 'shop',
      lifecycle: 'production',
      tier: 1,
      slackChannel: '#checkout',
      runbook: 'https://runbooks.example.com/checkout',
      description: 'The checkout flow',
      dependsOn: ['checkout-db', 'payments'],
      dependencyOf: [],
    });
    // payments' own `dependencyOf: cart` becomes cart → payments; checkout's dependsOn names payments.
    const payments = c.services.find((s) => s.name === 'payments')!;
    expect(payments).toMatchObject({
      tier: 2,
      owner: 'team-payments',
      slackUsergroup: 'S0PAYMENTS',
      dependencyOf: ['cart', 'checkout'],
    });
    expect(c.services.find((s) => s.name === 'cart')!.dependsOn).toEqual(['payments']);
    expect(c.groups.find((g) => g.name === 'team-payments')).toMatchObject({
      displayName: 'Payments team',
      members: ['U0003', 'alice'],
    });
    expect(c.systems).toEqual(['shop']);
    expect(c.loadedAt).toBe(AT);
  });

  it('entity refs lose kind and namespace, and compare case-insensitively', () => {
    expect(refName('component:default/Payments')).toBe('payments');
    expect(refName('group:team-a')).toBe('team-a');
    expect(refName('checkout')).toBe('checkout');
  });

  it('skips a malformed document and keeps the others of the same file, saying where', () => {
    const text = `${SHOP}\n---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: { name: broken\nspec: {}\n`;
    const r = parseCatalogFile('shop.yaml', text);
    expect(r.entities.map((e) => e.name)).toContain('checkout');
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ file: 'shop.yaml' });
    expect(r.problems[0].message).toMatch(/document 8: YAML error at line \d+/);
  });

  it('reports partial and non-Backstage documents with the zod path, and an empty file is fine', () => {
    const partial = 'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  title: no name\n';
    expect(parseCatalogFile('a.yaml', partial).problems[0].message).toMatch(
      /not a Backstage entity \(metadata\.name: .*\); skipped/,
    );
    const foreign = 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\n';
    expect(parseCatalogFile('b.yaml', foreign).problems[0].message).toMatch(/apiVersion must be backstage\.io/);
    expect(parseCatalogFile('c.yaml', '- just\n- a list\n').problems[0].message).toMatch(/not a Backstage entity/);
    expect(parseCatalogFile('d.yaml', '')).toEqual({ entities: [], problems: [] });
    expect(parseCatalogFile('e.yaml', 'a: [1, 2\n').problems[0].message).toMatch(/YAML error at line/);
    const badName = 'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: { name: "has spaces" }\n';
    expect(parseCatalogFile('f.yaml', badName).problems[0].message).toMatch(
      /metadata\.name must be letters and digits/,
    );
    const dupKey = 'apiVersion: backstage.io/v1alpha1\nkind: Component\nkind: Group\nmetadata: { name: x }\n';
    expect(parseCatalogFile('g.yaml', dupKey).problems[0].message).toMatch(/YAML error/);
  });

  it('refuses a billion-laughs alias bomb instead of expanding it', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 8; i++)
      bomb.push(
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(97 + i)}`)
          .join(',')}]`,
      );
    const r = parseCatalogFile('bomb.yaml', bomb.join('\n'));
    expect(r.entities).toEqual([]);
    expect(r.problems).toHaveLength(1);
  });

  it('a duplicate name: the first file wins, the second is reported', () => {
    const one =
      'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: { name: checkout }\nspec: { owner: a }\n';
    const two =
      'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: { name: Checkout }\nspec: { owner: b }\n';
    const c = build([
      { file: 'a/catalog-info.yaml', text: one },
      { file: 'b/catalog-info.yaml', text: two },
    ]);
    expect(c.services).toHaveLength(1);
    expect(c.services[0].owner).toBe('a');
    expect(c.problems.map((p) => p.message)).toContainEqual(
      expect.stringMatching(
        /duplicate Component "checkout" \(first defined in a\/catalog-info\.yaml\); this one is skipped/,
      ),
    );
    expect(c.problems.find((p) => p.message.startsWith('duplicate'))!.file).toBe('b/catalog-info.yaml');
  });

  it('reports unknown owners, bad annotations and unknown dependency targets, and still loads the service', () => {
    const text = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: search
  annotations:
    revenant/tier: "7"
    revenant/slack-usergroup: "@search-team"
    revenant/runbook: ../../etc/passwd
spec: { owner: group:ghosts, dependsOn: [component:elastic] }
`;
    const c = build([{ file: 'search.yaml', text }]);
    expect(c.services[0]).toMatchObject({
      name: 'search',
      owner: 'ghosts',
      tier: undefined,
      slackUsergroup: undefined,
      runbook: undefined,
      dependsOn: ['elastic'],
    });
    const messages = c.problems.map((p) => p.message).join('\n');
    expect(messages).toMatch(/owner "group:ghosts" is not a Group in the catalog; nobody is invited/);
    expect(messages).toMatch(/revenant\/tier "7" ignored; expected 1, 2, 3 or 4/);
    expect(messages).toMatch(/revenant\/slack-usergroup "@search-team" ignored; expected a Slack user group id/);
    expect(messages).toMatch(/revenant\/runbook "\.\.\/\.\.\/etc\/passwd" ignored/);
    expect(messages).toMatch(/refers to "elastic", which is not in the catalog/);
    // A user owner is fine (no group to invite, nothing to report).
    const byUser = build([
      {
        file: 'u.yaml',
        text: 'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: { name: x }\nspec: { owner: user:jdoe }\n',
      },
    ]);
    expect(byUser.problems).toEqual([]);
  });

  it('reports a dependency cycle once and keeps it; a self-dependency is ignored', () => {
    const comp = (name: string, deps: string[]) =>
      `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: { name: ${name} }\nspec: { dependsOn: [${deps.join(', ')}] }\n`;
    const c = build([
      { file: 'loop.yaml', text: [comp('a', ['b']), comp('b', ['c']), comp('c', ['a', 'c'])].join('---\n') },
    ]);
    const cycles = c.problems.filter((p) => p.message.startsWith('dependency cycle'));
    expect(cycles).toHaveLength(1);
    expect(cycles[0].message).toBe('dependency cycle: a → b → c → a (kept; correlation stops at each service once)');
    expect(c.problems.map((p) => p.message)).toContainEqual('Component "c" depends on itself; ignored');
    expect(c.services.find((s) => s.name === 'c')!.dependsOn).toEqual(['a']);
  });
});

describe('dependency paths', () => {
  const g = dependencyGraph([
    { from: 'checkout', to: 'payments' },
    { from: 'payments', to: 'ledger' },
    { from: 'ledger', to: 'postgres' },
    { from: 'search', to: 'postgres' },
  ]);

  it('follows dependsOn either way within the depth, with the reason in dependency order', () => {
    expect(dependencyPath(g, 'checkout', 'payments')).toEqual({
      from: 'checkout',
      to: 'payments',
      path: ['checkout', 'payments'],
      direction: 'dependsOn',
      reason: 'checkout depends on payments',
    });
    expect(dependencyPath(g, 'payments', 'checkout')).toMatchObject({
      direction: 'dependencyOf',
      path: ['checkout', 'payments'],
      reason: 'checkout depends on payments',
    });
    expect(dependencyPath(g, 'checkout', 'ledger')).toBeUndefined();
    expect(dependencyPath(g, 'checkout', 'ledger', 2)?.reason).toBe('checkout depends on ledger via payments');
    expect(dependencyPath(g, 'Checkout', 'POSTGRES', 3)?.path).toEqual(['checkout', 'payments', 'ledger', 'postgres']);
  });

  it('never connects siblings that only share a dependency, nor a service with itself', () => {
    expect(dependencyPath(g, 'search', 'ledger', 5)).toBeUndefined();
    expect(dependencyPath(g, 'checkout', 'checkout', 5)).toBeUndefined();
    expect(dependencyPath(g, 'checkout', 'payments', 0)).toBeUndefined();
  });

  it('terminates on any graph, cycles included, and finds a path exactly when one exists', () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    const edge = fc.record({ from: fc.constantFrom(...names), to: fc.constantFrom(...names) });
    fc.assert(
      fc.property(
        fc.array(edge, { maxLength: 30 }),
        fc.constantFrom(...names),
        fc.constantFrom(...names),
        fc.integer({ min: 1, max: 5 }),
        (edges, x, y, depth) => {
          const graph = dependencyGraph(edges);
          const p = dependencyPath(graph, x, y, depth);
          findCycles(edges); // must return
          if (!p) return;
          expect(p.path.length - 1).toBeLessThanOrEqual(depth);
          for (let i = 0; i + 1 < p.path.length; i++) expect(graph.dependsOn.get(p.path[i])).toContain(p.path[i + 1]);
          expect(new Set(p.path).size).toBe(p.path.length);
        },
      ),
      { numRuns: 300 },
    );
  });
});
