import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import type {
  CatalogEntity,
  CatalogKind,
  CatalogProblem,
  ComponentEntity,
  GroupEntity,
  ResourceEntity,
} from './catalog.types';

/*
 * Pure: Backstage descriptor text → entities + problems. A bad document is reported and skipped; the other
 * documents of the same file still load. Kinds we do not use (User, Domain, Location, Template…) are ignored.
 */

const KINDS: readonly CatalogKind[] = ['Component', 'System', 'Group', 'API', 'Resource'];
/** Backstage's own rule for metadata.name: 1–63 chars of [a-z0-9A-Z], separated by -, _ or . */
const NAME = /^[a-z0-9A-Z]+(?:[-_.][a-z0-9A-Z]+)*$/;
export const MAX_CATALOG_FILE_BYTES = 1024 * 1024;
const MAX_DOCUMENTS = 500;
const MAX_REFS = 200;

const ref = z.string().trim().min(1).max(253);
const refs = z.array(ref).max(MAX_REFS).optional();
const text = z.string().max(2000).optional();

const metadataSchema = z.object({
  name: z
    .string()
    .min(1)
    .max(63)
    .regex(NAME, 'metadata.name must be letters and digits separated by - _ or . (at most 63)'),
  namespace: z.string().max(63).optional(),
  title: text,
  description: text,
  // Annotation values are strings in Backstage; numbers (`revenant/tier: 1`) are accepted and stringified.
  annotations: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).optional(),
});

const specSchema = z
  .object({
    type: z.string().max(100).optional(),
    lifecycle: z.string().max(100).optional(),
    owner: ref.optional(),
    system: ref.optional(),
    domain: ref.optional(),
    parent: ref.optional(),
    dependsOn: refs,
    dependencyOf: refs,
    members: refs,
    profile: z
      .object({ displayName: z.string().max(200).optional() })
      .loose()
      .optional(),
  })
  .loose();

const entitySchema = z.object({
  apiVersion: z.string().regex(/^backstage\.io\//, 'apiVersion must be backstage.io/v1alpha1 (or v1beta1)'),
  kind: z.string(),
  metadata: metadataSchema,
  spec: specSchema.optional(),
});

/** `component:default/Payments` → `payments`; `group:team-a` → `team-a`. The kind is the caller's business. */
export function refName(entityRef: string): string {
  const noKind = entityRef.includes(':') ? entityRef.slice(entityRef.indexOf(':') + 1) : entityRef;
  const noNs = noKind.includes('/') ? noKind.slice(noKind.lastIndexOf('/') + 1) : noKind;
  return noNs.trim().toLowerCase();
}

/** `user:default/U0123ABC` → `U0123ABC`: like refName, but the case is kept (Slack ids are case-sensitive). */
function memberName(m: string): string {
  const noKind = m.slice(m.indexOf(':') + 1);
  return noKind.slice(noKind.lastIndexOf('/') + 1).trim();
}

/** The kind an entity ref names, lower-cased (`group:x` → `group`), or undefined for a bare name. */
export function refKind(entityRef: string): string | undefined {
  const i = entityRef.indexOf(':');
  return i > 0 ? entityRef.slice(0, i).trim().toLowerCase() : undefined;
}

export interface ParsedCatalogFile {
  entities: CatalogEntity[];
  problems: CatalogProblem[];
}

function describeIssues(err: z.ZodError): string {
  return err.issues
    .slice(0, 3)
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}

function toEntity(doc: z.infer<typeof entitySchema>, file: string): CatalogEntity | undefined {
  const kind = KINDS.find((k) => k.toLowerCase() === doc.kind.trim().toLowerCase());
  if (!kind) return undefined;
  const spec = doc.spec ?? {};
  const base = {
    name: doc.metadata.name.toLowerCase(),
    title: doc.metadata.title,
    description: doc.metadata.description,
    annotations: doc.metadata.annotations ?? {},
    file,
  };
  const owner = spec.owner;
  const names = (xs?: string[]) => [...new Set((xs ?? []).map(refName).filter(Boolean))];
  switch (kind) {
    case 'Component':
      return {
        ...base,
        kind,
        type: spec.type,
        owner,
        system: spec.system && refName(spec.system),
        lifecycle: spec.lifecycle,
        dependsOn: names(spec.dependsOn),
        dependencyOf: names(spec.dependencyOf),
      } satisfies ComponentEntity;
    case 'Resource':
      return {
        ...base,
        kind,
        type: spec.type,
        owner,
        system: spec.system && refName(spec.system),
        dependsOn: names(spec.dependsOn),
        dependencyOf: names(spec.dependencyOf),
      } satisfies ResourceEntity;
    case 'System':
      return { ...base, kind, owner, domain: spec.domain && refName(spec.domain) };
    case 'API':
      return {
        ...base,
        kind,
        type: spec.type,
        owner,
        system: spec.system && refName(spec.system),
        lifecycle: spec.lifecycle,
      };
    case 'Group':
      return {
        ...base,
        kind,
        type: spec.type,
        displayName: spec.profile?.displayName,
        parent: spec.parent && refName(spec.parent),
        // Members keep their case: Slack user ids (U0123ABC) are case-sensitive.
        members: [...new Set((spec.members ?? []).map(memberName).filter(Boolean))],
      } satisfies GroupEntity;
  }
}

/** One file's text (possibly several `---`-separated documents) → its entities and what was wrong with it. */
export function parseCatalogFile(file: string, source: string): ParsedCatalogFile {
  const entities: CatalogEntity[] = [];
  const problems: CatalogProblem[] = [];
  if (source.length > MAX_CATALOG_FILE_BYTES) {
    return { entities, problems: [{ file, message: `larger than ${MAX_CATALOG_FILE_BYTES} bytes; skipped` }] };
  }
  let docs;
  try {
    docs = parseAllDocuments(source, { prettyErrors: false, uniqueKeys: true });
  } catch (e) {
    return { entities, problems: [{ file, message: `not YAML: ${(e as Error).message}` }] };
  }
  // parseAllDocuments returns an EmptyStream (not an array) for empty input.
  const list = Array.isArray(docs) ? docs : [];
  if (list.length > MAX_DOCUMENTS)
    problems.push({ file, message: `more than ${MAX_DOCUMENTS} documents; the rest are skipped` });
  list.slice(0, MAX_DOCUMENTS).forEach((doc, i) => {
    const where = list.length > 1 ? `document ${i + 1}: ` : '';
    if (doc.errors.length) {
      const pos = doc.errors[0].pos?.[0];
      const line = typeof pos === 'number' ? source.slice(0, pos).split('\n').length : undefined;
      problems.push({
        file,
        message: `${where}YAML error${line ? ` at line ${line}` : ''}: ${doc.errors[0].message.split('\n')[0]}`,
      });
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      problems.push({ file, message: `${where}${(e as Error).message}` });
      return;
    }
    if (value === null || value === undefined) return; // an empty document (e.g. a trailing ---)
    const parsed = entitySchema.safeParse(value);
    if (!parsed.success) {
      problems.push({ file, message: `${where}not a Backstage entity (${describeIssues(parsed.error)}); skipped` });
      return;
    }
    const entity = toEntity(parsed.data, file);
    if (entity) entities.push(entity);
  });
  return { entities, problems };
}

/** Several files → entities, first occurrence of a kind+name winning (files are taken in the order given). */
export function parseCatalogFiles(files: ReadonlyArray<{ file: string; text: string }>): ParsedCatalogFile {
  return mergeCatalogFiles(files.map((f) => parseCatalogFile(f.file, f.text)));
}

/** Join per-file results; a second kind+name is reported and skipped, so the first file (in order) wins. */
export function mergeCatalogFiles(parsed: readonly ParsedCatalogFile[]): ParsedCatalogFile {
  const seen = new Map<string, string>();
  const entities: CatalogEntity[] = [];
  const problems: CatalogProblem[] = [];
  for (const one of parsed) {
    problems.push(...one.problems);
    for (const e of one.entities) {
      const key = `${e.kind}:${e.name}`;
      const first = seen.get(key);
      if (first !== undefined) {
        problems.push({
          file: e.file,
          message: `duplicate ${e.kind} "${e.name}" (first defined in ${first}); this one is skipped`,
        });
        continue;
      }
      seen.set(key, e.file);
      entities.push(e);
    }
  }
  return { entities, problems };
}
