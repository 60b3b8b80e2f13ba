import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import type { RatioIndicator, SloDefinition, SloProblem } from './slo.types';

/**
 * OpenSLO v1 (`apiVersion: openslo/v1`) → SLO definitions. Reads `kind: SLO` with a ratio indicator, inline
 * (`spec.indicator`) or by name (`spec.indicatorRef` → a `kind: SLI` document in any file), `objectives[].target`
 * (or `targetPercent`) and a rolling `timeWindow`. Pure: every bad document becomes a problem, never a throw.
 */

const DURATION = /^(\d+)\s*(m|h|d|w)$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** `28d` → ms; undefined when not a whole number of minutes, hours, days or weeks. */
export function parseDuration(s: string): number | undefined {
  const m = DURATION.exec(s.trim());
  if (!m || Number(m[1]) <= 0) return undefined;
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

const name = z.string().regex(/^[a-z0-9]([a-z0-9._-]{0,98}[a-z0-9])?$/, 'must be a lowercase DNS-style name');
const Source = z.object({
  metricSource: z.object({
    type: z.string().optional(),
    spec: z.object({ query: z.string().trim().min(1, 'is empty') }),
  }),
});
const Ratio = z
  .object({
    counter: z.boolean().optional(),
    good: Source.optional(),
    bad: Source.optional(),
    total: Source,
  })
  .refine((r) => !!r.good !== !!r.bad, { message: 'needs exactly one of good or bad (with total)' });
const SliSpec = z.object({ ratioMetric: Ratio });
const Metadata = z.object({
  name,
  displayName: z.string().optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
const SliDoc = z.object({ metadata: Metadata, spec: SliSpec });
const SloDoc = z.object({
  metadata: Metadata,
  spec: z.object({
    description: z.string().optional(),
    service: z.string().trim().min(1),
    indicator: z.object({ metadata: Metadata.partial().optional(), spec: SliSpec }).optional(),
    indicatorRef: z.string().optional(),
    timeWindow: z
      .array(z.object({ duration: z.string(), isRolling: z.boolean().optional() }))
      .min(1, 'needs one window'),
    budgetingMethod: z.string().optional(),
    objectives: z
      .array(
        z
          .object({
            displayName: z.string().optional(),
            target: z.number().gt(0).lt(1).optional(),
            targetPercent: z.number().gt(0).lt(100).optional(),
          })
          .refine((o) => o.target !== undefined || o.targetPercent !== undefined, {
            message: 'needs target (0–1, exclusive) or targetPercent',
          }),
      )
      .min(1, 'needs at least one objective'),
  }),
});

const issues = (e: z.ZodError) => e.issues.map((i) => `${i.path.join('.') || '(document)'}: ${i.message}`).join('; ');

function indicatorOf(r: z.infer<typeof Ratio>): RatioIndicator {
  const numerator = r.good ? 'good' : 'bad';
  return {
    numerator,
    numeratorQuery: (r.good ?? r.bad)!.metricSource.spec.query,
    totalQuery: r.total.metricSource.spec.query,
    counter: r.counter ?? true,
  };
}

export interface OpenSloFile {
  /** Relative to SLOS_PATH, for messages. */
  file: string;
  text: string;
}

export interface ParsedSlos {
  slos: SloDefinition[];
  problems: SloProblem[];
}

/** Every file's documents; SLIs may be defined in another file than the SLO naming them. */
export function parseOpenSlo(files: readonly OpenSloFile[]): ParsedSlos {
  const problems: SloProblem[] = [];
  const slis = new Map<string, z.infer<typeof SliDoc>>();
  const slos: Array<{ file: string; doc: z.infer<typeof SloDoc> }> = [];
  for (const { file, text } of files) {
    let docs;
    try {
      docs = parseAllDocuments(text);
    } catch (e) {
      problems.push({ file, message: `not YAML: ${e instanceof Error ? e.message : String(e)}` });
      continue;
    }
    for (const [i, d] of (Array.isArray(docs) ? docs : [docs]).entries()) {
      if (d.errors.length) {
        problems.push({ file, message: `document ${i + 1} is not valid YAML: ${d.errors[0].message}` });
        continue;
      }
      const raw = d.toJS() as Record<string, unknown> | null;
      if (raw === null || raw === undefined) continue; // an empty document between `---`
      if (typeof raw !== 'object' || Array.isArray(raw)) {
        problems.push({ file, message: `document ${i + 1} is not a mapping` });
        continue;
      }
      const docName = (raw.metadata as { name?: unknown } | undefined)?.name;
      const named = typeof docName === 'string' ? docName : undefined;
      if (raw.apiVersion !== 'openslo/v1') {
        problems.push({
          file,
          name: named,
          message: `apiVersion must be openslo/v1, got ${JSON.stringify(raw.apiVersion)}`,
        });
        continue;
      }
      if (raw.kind === 'SLI') {
        const r = SliDoc.safeParse(raw);
        if (r.success) slis.set(r.data.metadata.name, r.data);
        else problems.push({ file, name: named, message: `SLI: ${issues(r.error)}` });
      } else if (raw.kind === 'SLO') {
        const r = SloDoc.safeParse(raw);
        if (r.success) slos.push({ file, doc: r.data });
        else problems.push({ file, name: named, message: `SLO: ${issues(r.error)}` });
      } // other OpenSLO kinds (Service, AlertPolicy, DataSource…) are not ours to read
    }
  }

  const out: SloDefinition[] = [];
  const seen = new Map<string, string>();
  for (const { file, doc } of slos) {
    const problem = (message: string) => problems.push({ file, name: doc.metadata.name, message });
    const { spec, metadata } = doc;
    const sli = spec.indicator?.spec ?? (spec.indicatorRef ? slis.get(spec.indicatorRef)?.spec : undefined);
    if (!sli) {
      problem(
        spec.indicatorRef
          ? `indicatorRef "${spec.indicatorRef}" names no kind: SLI document`
          : 'needs spec.indicator (inline) or spec.indicatorRef',
      );
      continue;
    }
    const win = spec.timeWindow[0];
    const windowMs = parseDuration(win.duration);
    if (windowMs === undefined) {
      problem(`timeWindow duration "${win.duration}" is not like 28d, 4w, 720h or 30m`);
      continue;
    }
    if (win.isRolling === false) {
      problem('only rolling time windows are supported (isRolling: true)');
      continue;
    }
    if (spec.budgetingMethod && spec.budgetingMethod !== 'Occurrences') {
      problem(`budgetingMethod ${spec.budgetingMethod} is not supported; use Occurrences`);
      continue;
    }
    if (seen.has(metadata.name)) {
      problem(`SLO name "${metadata.name}" is already defined in ${seen.get(metadata.name)}; this one is skipped`);
      continue;
    }
    seen.set(metadata.name, file);
    const o = spec.objectives[0];
    const annotations = metadata.annotations ?? {};
    out.push({
      name: metadata.name,
      displayName: metadata.displayName,
      description: spec.description,
      service: spec.service.trim().toLowerCase(),
      environment: annotations['revenant/environment']?.trim() || 'production',
      orgId: annotations['revenant/org']?.trim() || undefined,
      target: o.target ?? o.targetPercent! / 100,
      windowMs,
      windowLabel: win.duration.trim(),
      indicator: indicatorOf(sli.ratioMetric),
      file,
    });
  }
  return { slos: out, problems };
}
