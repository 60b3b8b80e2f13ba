/*
 * Service catalog (Backstage `catalog-info.yaml` files under CATALOG_PATH; see README "Service catalog").
 *
 *   deps.catalog?: CatalogService                 — wired in server.ts from createCatalogFiles(config.catalogPath)
 *   catalog.getCatalog(): Catalog                 — the current good state (services, groups, systems, edges,
 *                                                   problems, loadedAt); never throws, empty when unset
 *   catalog.serviceInfo(name): ServiceInfo?       — one Component by name (case-insensitive)
 *   catalog.dependencyPath(from, to, depth = 1)   — DependencyPath? with reason "checkout depends on payments"
 *   catalog.group(name): GroupInfo?               — an owner Group (members, its Slack user group)
 *   catalog.neighbours(name)                      — services one hop away, each with its reason (related incidents)
 *   catalog.graph(): DependencyGraph              — for the pure correlator (rebuilt only when the catalog changes)
 *   catalog.runbookFile(relative): Promise<string?> — a `revenant/runbook` file, read inside CATALOG_PATH
 *   catalog.reload(): Promise<Catalog>            — re-read now (tests, CLI); change detection does it by itself
 *   catalogOf(deps): Catalog                      — getCatalog() or the empty catalog when none is wired
 *   serviceOwners(catalog, service)               — who to invite when an incident opens for the service
 *   catalog.root                                  — CATALOG_PATH resolved, for messages
 *
 * Types are in src/catalog/catalog.types.ts; parsing and building are pure (src/catalog/*).
 */
import type { CatalogFiles } from '../adapters/catalog/catalog-files';
import { dependencyGraph, dependencyPath, type DependencyGraph } from '../catalog/catalog.graph';
import {
  type Catalog,
  type DependencyPath,
  EMPTY_CATALOG,
  type GroupInfo,
  type ServiceInfo,
} from '../catalog/catalog.types';
import { canView, requirePermission } from '../incidents/incident.permissions';
import type { Actor } from '../incidents/incident.types';

export interface CatalogService {
  /** CATALOG_PATH resolved (undefined when unset). */
  readonly root?: string;
  getCatalog(): Catalog;
  serviceInfo(name: string): ServiceInfo | undefined;
  group(name: string): GroupInfo | undefined;
  dependencyPath(from: string, to: string, depth?: number): DependencyPath | undefined;
  /** Services one hop away either way, each with its reason ("checkout depends on payments"). */
  neighbours(name: string): Array<{ service: string; reason: string }>;
  graph(): DependencyGraph;
  runbookFile(relative: string): Promise<string | undefined>;
  reload(): Promise<Catalog>;
}

export function createCatalogService(
  files: Pick<CatalogFiles, 'current' | 'reload' | 'readFile'> & Partial<Pick<CatalogFiles, 'root'>>,
): CatalogService {
  let built: { for: Catalog; graph: DependencyGraph; byName: Map<string, ServiceInfo> } | undefined;
  const index = () => {
    const c = files.current();
    if (built?.for !== c) {
      built = { for: c, graph: dependencyGraph(c.edges), byName: new Map(c.services.map((s) => [s.name, s])) };
    }
    return built;
  };
  return {
    root: files.root,
    getCatalog: () => files.current(),
    serviceInfo: (name) => index().byName.get(name.trim().toLowerCase()),
    group: (name) => files.current().groups.find((g) => g.name === name.trim().toLowerCase()),
    dependencyPath: (from, to, depth = 1) => dependencyPath(index().graph, from, to, depth),
    graph: () => index().graph,
    neighbours: (name) => {
      const n = name.trim().toLowerCase();
      const out = new Map<string, string>();
      for (const to of index().graph.dependsOn.get(n) ?? []) out.set(to, `${n} depends on ${to}`);
      for (const [from, tos] of index().graph.dependsOn)
        if (tos.includes(n) && !out.has(from)) out.set(from, `${from} depends on ${n}`);
      return [...out].map(([service, reason]) => ({ service, reason }));
    },
    runbookFile: (relative) => files.readFile(relative),
    reload: () => files.reload(),
  };
}

export function catalogOf(deps: { catalog?: CatalogService }): Catalog {
  return deps.catalog?.getCatalog() ?? EMPTY_CATALOG;
}

/** `/incident services` and `GET /services`-style listings: everyone may look. */
export function listServices(deps: { catalog?: CatalogService }, actor: Actor): Catalog {
  requirePermission(canView(actor));
  return catalogOf(deps);
}

export interface ServiceOwners {
  service: string;
  owner?: string;
  /** Slack user group to expand (usergroups.users.list). */
  usergroup?: string;
  /** Slack user ids listed directly as the owner Group's members. */
  userIds: string[];
}

const SLACK_USER = /^[UW][A-Z0-9]{2,20}$/;

/** Who to invite when an incident opens for `service`: the owner group's Slack user group and/or member ids. */
export function serviceOwners(
  catalog: CatalogService | undefined,
  service: string | null | undefined,
): ServiceOwners | undefined {
  if (!catalog || !service) return undefined;
  const info = catalog.serviceInfo(service);
  if (!info) return undefined;
  const group = info.owner ? catalog.group(info.owner) : undefined;
  const userIds = (group?.members ?? []).filter((m) => SLACK_USER.test(m));
  if (!info.slackUsergroup && userIds.length === 0) return undefined;
  return { service: info.name, owner: info.owner, usergroup: info.slackUsergroup, userIds };
}
