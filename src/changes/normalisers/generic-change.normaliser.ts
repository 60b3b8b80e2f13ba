import { z } from 'zod';
import { fnv1a64, invalidInput, parseTime } from '../../signals/normalisers/normaliser.helpers';
import {
  CHANGE_STATUSES,
  type ChangeEvent,
  type ChangeNormaliseContext,
  type ChangeNormaliseResult,
} from '../change.types';
import { optText, text, time } from './change.helpers';

/**
 * The generic change shape: the normalised event itself, one object or an array. `externalId`
 * defaults to a hash of source + service + environment + version + startedAt; `startedAt` to the
 * time the request arrived; `environment` to "production"; unknown fields are refused.
 */
export const GenericChangeSchema = z
  .object({
    service: text,
    environment: text.optional(),
    version: text,
    commitSha: optText,
    ref: optText,
    status: z.enum(CHANGE_STATUSES),
    url: optText,
    actor: optText,
    startedAt: time.optional(),
    finishedAt: time.optional(),
    statusAt: time.optional(),
    source: text.optional(),
    externalId: text.optional(),
  })
  .strict();

export function normaliseGenericChange(body: unknown, ctx: ChangeNormaliseContext): ChangeNormaliseResult {
  const items = Array.isArray(body) ? body : [body];
  const prefix = (i: number): PropertyKey[] => (Array.isArray(body) ? [i] : []);
  const received = parseTime(ctx.receivedAt);
  const fallback = received.ok && received.value ? received.value : ctx.receivedAt;
  const issues: Array<{ path: PropertyKey[]; message: string }> = [];
  const events: ChangeEvent[] = [];
  items.forEach((item, i) => {
    const r = GenericChangeSchema.safeParse(item);
    if (!r.success) {
      for (const issue of r.error.issues) issues.push({ path: [...prefix(i), ...issue.path], message: issue.message });
      return;
    }
    const d = r.data;
    const environment = d.environment ?? 'production';
    const source = d.source ?? 'changes';
    const startedAt = d.startedAt ?? fallback;
    const terminal = d.status !== 'queued' && d.status !== 'in_progress';
    const finishedAt = d.finishedAt ?? (terminal ? (d.statusAt ?? startedAt) : undefined);
    events.push({
      service: d.service,
      environment,
      version: d.version,
      ...(d.commitSha ? { commitSha: d.commitSha } : {}),
      ...(d.ref ? { ref: d.ref } : {}),
      status: d.status,
      url: d.url ?? '',
      actor: d.actor ?? 'unknown',
      startedAt,
      ...(finishedAt ? { finishedAt } : {}),
      statusAt: d.statusAt ?? finishedAt ?? startedAt,
      source,
      externalId: d.externalId ?? fnv1a64([source, d.service, environment, d.version, startedAt].join('\u001f')),
    });
  });
  if (items.length === 0) issues.push({ path: [], message: 'expected a change object or a non-empty array of them' });
  if (issues.length) throw invalidInput('changes', issues);
  return { type: 'events', events, warnings: [] };
}
