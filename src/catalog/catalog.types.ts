/*
 * The service catalog, read from Backstage descriptors (`catalog-info.yaml`): what the rest of the app sees.
 * Names are Backstage entity names, lower-cased, without kind or namespace (`component:default/payments` → `payments`).
 */

export type CatalogKind = 'Component' | 'System' | 'Group' | 'API' | 'Resource';

interface EntityBase {
  name: string;
  title?: string;
  description?: string;
  /** `metadata.annotations` as given (string values only). */
  annotations: Record<string, string>;
  /** The file it came from (relative to CATALOG_PATH). */
  file: string;
}

export interface ComponentEntity extends EntityBase {
  kind: 'Component';
  type?: string;
  owner?: string;
  system?: string;
  lifecycle?: string;
  dependsOn: string[];
  dependencyOf: string[];
}

export interface SystemEntity extends EntityBase {
  kind: 'System';
  owner?: string;
  domain?: string;
}

export interface GroupEntity extends EntityBase {
  kind: 'Group';
  type?: string;
  displayName?: string;
  parent?: string;
  /** `spec.members` as names; entries that are Slack user ids (`U…`/`W…`) are invited directly. */
  members: string[];
}

export interface ApiEntity extends EntityBase {
  kind: 'API';
  type?: string;
  owner?: string;
  system?: string;
  lifecycle?: string;
}

export interface ResourceEntity extends EntityBase {
  kind: 'Resource';
  type?: string;
  owner?: string;
  system?: string;
  dependsOn: string[];
  dependencyOf: string[];
}

export type CatalogEntity = ComponentEntity | SystemEntity | GroupEntity | ApiEntity | ResourceEntity;

/** A service (a Component) with its relations resolved both ways and the `revenant/*` annotations applied. */
export interface ServiceInfo {
  name: string;
  owner?: string;
  system?: string;
  lifecycle?: string;
  /** `revenant/tier` 1–4: the default severity (SEV1–SEV4) of incidents declared automatically for it. */
  tier?: 1 | 2 | 3 | 4;
  /** What it calls (its own `dependsOn` plus others' `dependencyOf` naming it). */
  dependsOn: string[];
  /** What calls it (others' `dependsOn` naming it plus its own `dependencyOf`). */
  dependencyOf: string[];
  /** `revenant/slack-channel` (falls back to the owner group's). */
  slackChannel?: string;
  /** `revenant/slack-usergroup`, a Slack user group id `S…` (falls back to the owner group's). */
  slackUsergroup?: string;
  /** `revenant/runbook`: an http(s) URL or a file path relative to CATALOG_PATH. */
  runbook?: string;
  description?: string;
}

export interface GroupInfo {
  name: string;
  displayName?: string;
  /** Member names as given; Slack user ids among them are invited on declare. */
  members: string[];
  slackUsergroup?: string;
  slackChannel?: string;
}

export interface CatalogProblem {
  file: string;
  message: string;
}

export interface Catalog {
  services: ServiceInfo[];
  groups: GroupInfo[];
  /** System names (from `kind: System` and from components' `spec.system`). */
  systems: string[];
  /** Every `from depends on to` edge between components and resources (both declaration styles merged). */
  edges: DependencyEdge[];
  /** Files or documents that were skipped or partly ignored, and why. */
  problems: CatalogProblem[];
  /** When this state was built (ISO); the previous good state is kept when a reload fails. */
  loadedAt: string;
}

/** One hop in the dependency graph: `from` depends on `to`. */
export interface DependencyEdge {
  from: string;
  to: string;
}

/** How two services are connected; `path` is the chain in dependency order (`path[0]` depends on `path[1]` …). */
export interface DependencyPath {
  from: string;
  to: string;
  path: string[];
  /** `dependsOn`: from (transitively) depends on to; `dependencyOf`: to depends on from. */
  direction: 'dependsOn' | 'dependencyOf';
  /** "checkout depends on payments" */
  reason: string;
}

export const EMPTY_CATALOG: Catalog = {
  services: [],
  groups: [],
  systems: [],
  edges: [],
  problems: [],
  loadedAt: new Date(0).toISOString(),
};
