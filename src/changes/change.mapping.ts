import { z } from 'zod';
import { assertNever } from '../shared/domain-error';

/**
 * The changes mapping file (`CHANGES_MAPPING_PATH`, YAML): which repository is which service, what an
 * environment is called, which workflows deploy, and how each service rolls back. Pure: parsing and
 * lookups only; src/adapters/changes/mapping-file.ts reads the file and keeps the last good one.
 */

const name = z.string().trim().min(1).max(200);
const repository = z
  .string()
  .trim()
  .regex(/^[\w.-]+\/[\w.-]+$/, 'must look like owner/repo');

const GithubRollback = z
  .object({
    kind: z.literal('github_workflow'),
    repository,
    /** The workflow's file name (`rollback.yml`) or numeric id, as `workflow_id` takes it. */
    workflow: name,
    /** The branch or tag the workflow runs from. */
    ref: name.default('main'),
  })
  .strict();
const HookRollback = z
  .object({
    kind: z.literal('deploy_hook'),
    url: z
      .string()
      .trim()
      .regex(/^https?:\/\/\S+$/, 'must be an http(s) URL'),
  })
  .strict();
export const RollbackTargetSchema = z.discriminatedUnion('kind', [GithubRollback, HookRollback]);
/** How one service rolls back: a GitHub Actions `workflow_dispatch`, or a signed POST to a deploy hook. */
export type RollbackTarget = z.output<typeof RollbackTargetSchema>;

export const ChangesMappingSchema = z
  .object({
    /** `owner/repo` or `repo` → service, for senders that name only the repository. */
    repositories: z.record(name, name).default({}),
    /** Alias → canonical environment (`prod: production`), applied to every change event. */
    environments: z.record(name, name).default({}),
    /** Workflow names or file names (globs with `*`) whose completed runs are deployments. */
    deployWorkflows: z.array(name).min(1).optional(),
    /** Service → how it rolls back. */
    rollback: z.record(name, RollbackTargetSchema).default({}),
  })
  .strict();
export type ChangesMapping = z.output<typeof ChangesMappingSchema>;

export const EMPTY_MAPPING: ChangesMapping = { repositories: {}, environments: {}, rollback: {} };

/** A parsed YAML document → the mapping, or every problem with its path. */
export function parseChangesMapping(
  doc: unknown,
): { ok: true; mapping: ChangesMapping } | { ok: false; problems: string[] } {
  const r = ChangesMappingSchema.safeParse(doc ?? {});
  if (r.success) return { ok: true, mapping: r.data };
  return { ok: false, problems: r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`) };
}

const lower = (s: string) => s.trim().toLowerCase();

/** The service a repository deploys: `owner/repo` first, then the bare name; undefined when unmapped. */
export function serviceOfRepository(m: ChangesMapping, repoName: string, fullName?: string): string | undefined {
  const entries = Object.entries(m.repositories);
  const hit = (key: string | undefined) => key && entries.find(([k]) => lower(k) === lower(key))?.[1];
  return hit(fullName) || hit(repoName) || undefined;
}

/** The canonical name of an environment (aliases are case-insensitive). */
export function canonicalEnvironment(m: ChangesMapping, environment: string): string {
  return Object.entries(m.environments).find(([k]) => lower(k) === lower(environment))?.[1] ?? environment;
}

export const rollbackTargetOf = (m: ChangesMapping, service: string): RollbackTarget | undefined =>
  Object.entries(m.rollback).find(([k]) => lower(k) === lower(service))?.[1];

/** How a target reads in a confirmation: "GitHub Actions rollback.yml in acme/checkout (main)". */
export function describeTarget(t: RollbackTarget): string {
  switch (t.kind) {
    case 'github_workflow':
      return `GitHub Actions workflow ${t.workflow} in ${t.repository} (${t.ref})`;
    case 'deploy_hook':
      return `deploy hook ${new URL(t.url).host}`;
    default:
      return assertNever(t);
  }
}

/** Where the services read the mapping: the last good version of the file, and what is wrong with it now. */
export interface MappingSource {
  current(): ChangesMapping;
  /** Empty when the file (or its absence) is fine. */
  problems(): readonly string[];
}

export const staticMapping = (mapping: ChangesMapping = EMPTY_MAPPING): MappingSource => ({
  current: () => mapping,
  problems: () => [],
});
