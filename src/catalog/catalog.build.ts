import { refKind, refName } from './catalog.parser';
import type {
  Catalog,
  CatalogEntity,
  CatalogProblem,
  ComponentEntity,
  GroupEntity,
  GroupInfo,
  ResourceEntity,
  ServiceInfo,
} from './catalog.types';
import { findCycles } from './catalog.graph';

/*
 * Pure: parsed entities → the Catalog the app uses. Relations are resolved both ways (A dependsOn B is also
 * B dependencyOf A), `revenant/*` annotations are validated, and what cannot be trusted is reported, not fatal.
 */

export const ANNOTATIONS = {
  slackChannel: 'revenant/slack-channel',
  slackUsergroup: 'revenant/slack-usergroup',
  tier: 'revenant/tier',
  runbook: 'revenant/runbook',
} as const;

const USERGROUP = /^S[A-Z0-9]{2,20}$/;
const CHANNEL = /^(#?[a-z0-9][a-z0-9._-]{0,79}|C[A-Z0-9]{2,20})$/;
const URL = /^https?:\/\/[^\s<>]+$/i;
/** A relative path inside CATALOG_PATH: no absolute paths, no `..` segments. */
const FILE = /^(?!\/)(?!.*(^|\/)\.\.(\/|$))[\w./-]{1,300}$/;

function parseTier(raw: string | undefined): 1 | 2 | 3 | 4 | undefined | 'bad' {
  if (raw === undefined) return undefined;
  const m = /^\s*(?:tier[-_ ]?)?([1-4])\s*$/i.exec(raw);
  return m ? (Number(m[1]) as 1 | 2 | 3 | 4) : 'bad';
}

function annotation(
  e: CatalogEntity,
  key: string,
  ok: RegExp,
  expected: string,
  problems: CatalogProblem[],
): string | undefined {
  const v = e.annotations[key]?.trim();
  if (!v) return undefined;
  if (ok.test(v)) return v;
  problems.push({
    file: e.file,
    message: `${e.kind} "${e.name}": ${key} "${v.slice(0, 80)}" ignored; expected ${expected}`,
  });
  return undefined;
}

type Node = ComponentEntity | ResourceEntity;

export function buildCatalog(
  entities: readonly CatalogEntity[],
  parseProblems: readonly CatalogProblem[],
  loadedAt: string,
): Catalog {
  const problems = [...parseProblems];
  const groups = entities.filter((e): e is GroupEntity => e.kind === 'Group');
  const groupByName = new Map(groups.map((g) => [g.name, g]));
  const nodes = entities.filter((e): e is Node => e.kind === 'Component' || e.kind === 'Resource');
  const known = new Set(entities.filter((e) => e.kind !== 'Group').map((e) => e.name));

  // Edges both ways: dependsOn[a] ∋ b ⇔ dependencyOf[b] ∋ a.
  const dependsOn = new Map<string, Set<string>>();
  const add = (from: string, to: string) => {
    if (from === to) return;
    if (!dependsOn.has(from)) dependsOn.set(from, new Set());
    dependsOn.get(from)!.add(to);
  };
  for (const n of nodes) {
    for (const d of n.dependsOn) add(n.name, d);
    for (const d of n.dependencyOf) add(d, n.name);
    for (const d of [...n.dependsOn, ...n.dependencyOf]) {
      if (!known.has(d))
        problems.push({ file: n.file, message: `${n.kind} "${n.name}" refers to "${d}", which is not in the catalog` });
      if (d === n.name) problems.push({ file: n.file, message: `${n.kind} "${n.name}" depends on itself; ignored` });
    }
  }
  const dependants = new Map<string, Set<string>>();
  for (const [from, tos] of dependsOn)
    for (const to of tos) {
      if (!dependants.has(to)) dependants.set(to, new Set());
      dependants.get(to)!.add(from);
    }
  const edges = [...dependsOn].flatMap(([from, tos]) => [...tos].map((to) => ({ from, to })));
  for (const cycle of findCycles(edges)) {
    const first = nodes.find((n) => n.name === cycle[0]);
    problems.push({
      file: first?.file ?? '',
      message: `dependency cycle: ${[...cycle, cycle[0]].join(' → ')} (kept; correlation stops at each service once)`,
    });
  }

  const groupInfos: GroupInfo[] = groups.map((g) => ({
    name: g.name,
    displayName: g.displayName ?? g.title,
    members: g.members,
    slackUsergroup: annotation(
      g,
      ANNOTATIONS.slackUsergroup,
      USERGROUP,
      'a Slack user group id such as S0123ABCD',
      problems,
    ),
    slackChannel: annotation(g, ANNOTATIONS.slackChannel, CHANNEL, 'a channel name or id', problems),
  }));
  const groupInfo = new Map(groupInfos.map((g) => [g.name, g]));

  const services: ServiceInfo[] = entities
    .filter((e): e is ComponentEntity => e.kind === 'Component')
    .map((c) => {
      let owner: string | undefined;
      if (c.owner) {
        const kind = refKind(c.owner);
        owner = refName(c.owner);
        if ((kind === undefined || kind === 'group') && !groupByName.has(owner)) {
          problems.push({
            file: c.file,
            message: `Component "${c.name}": owner "${c.owner}" is not a Group in the catalog; nobody is invited for it`,
          });
        }
      }
      const tier = parseTier(c.annotations[ANNOTATIONS.tier]);
      if (tier === 'bad') {
        problems.push({
          file: c.file,
          message: `Component "${c.name}": ${ANNOTATIONS.tier} "${c.annotations[ANNOTATIONS.tier]}" ignored; expected 1, 2, 3 or 4`,
        });
      }
      const ownerGroup = owner ? groupInfo.get(owner) : undefined;
      const runbookOk = new RegExp(`${URL.source}|${FILE.source}`, 'i');
      const info: ServiceInfo = {
        name: c.name,
        owner,
        system: c.system,
        lifecycle: c.lifecycle,
        tier: tier === 'bad' ? undefined : tier,
        dependsOn: [...(dependsOn.get(c.name) ?? [])].sort(),
        dependencyOf: [...(dependants.get(c.name) ?? [])].sort(),
        slackChannel:
          annotation(c, ANNOTATIONS.slackChannel, CHANNEL, 'a channel name or id', problems) ??
          ownerGroup?.slackChannel,
        slackUsergroup:
          annotation(c, ANNOTATIONS.slackUsergroup, USERGROUP, 'a Slack user group id such as S0123ABCD', problems) ??
          ownerGroup?.slackUsergroup,
        runbook: annotation(c, ANNOTATIONS.runbook, runbookOk, 'an http(s) URL or a relative file path', problems),
        description: c.description,
      };
      return info;
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const systems = new Set(entities.filter((e) => e.kind === 'System').map((e) => e.name));
  for (const s of services) if (s.system) systems.add(s.system);
  return { services, groups: groupInfos, systems: [...systems].sort(), edges, problems, loadedAt };
}
