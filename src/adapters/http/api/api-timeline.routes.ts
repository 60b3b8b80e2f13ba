import { type OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppDeps } from '../../../app/deps';
import { correctEntryTime, timelineView } from '../../../app/timeline-sync.service';
import { BASE, TAG, callerOf } from './api-incident-reads.routes';
import type { ApiEnv } from './api.guards';
import { apiRoute, input, register } from './api.openapi';
import * as S from './api.schemas';

const iso = z.string().openapi({ format: 'date-time', example: '2026-12-02T09:55:00.000Z' });

const TimelineItem = z
  .object({
    seq: z.number().int().openapi({ description: 'The entry number (`/incident timeline edit <seq> <time>`).' }),
    type: z.string(),
    actor: z.string(),
    at: iso.openapi({ description: 'When it happened: the corrected time if any, else when it was recorded.' }),
    recordedAt: iso,
    correctedAt: iso.optional(),
    text: z
      .string()
      .openapi({ description: 'The latest text; a message deleted in Slack reads "(message deleted in Slack)".' }),
    editedAt: iso.optional(),
    deleted: z.boolean(),
    deletedAt: iso.optional(),
    files: z.array(z.object({ name: z.string(), permalink: z.string(), mimetype: z.string().optional() })),
  })
  .openapi('TimelineItem');

const Timeline = z.object({ items: z.array(TimelineItem) }).openapi('Timeline');

const TimelineQuery = z.object({
  changes: z
    .enum(['true', 'false'])
    .optional()
    .openapi({ description: 'Also list the change records (NOTE_EDITED, NOTE_DELETED, TIMELINE_TIME_CORRECTED).' }),
});

const EntryParams = S.IncidentParams.extend({
  seq: z.coerce
    .number()
    .int()
    .min(1)
    .openapi({ param: { name: 'seq', in: 'path' }, example: 12 }),
});

const CorrectTime = z
  .object({
    time: z
      .string()
      .min(1)
      .max(40)
      .openapi({ description: 'ISO 8601, or HH:MM (UTC) on the entry’s day.', example: '09:55' }),
  })
  .openapi('CorrectTime');

const Corrected = z.object({ seq: z.number().int(), from: iso, to: iso }).openapi('TimeCorrected');

/** The timeline as people read it (corrected times, edit/delete marks), and correcting an entry's time. */
export function timelineRoutes(api: OpenAPIHono<ApiEnv>, deps: AppDeps) {
  type P = { incidentId: string };
  register(
    api,
    apiRoute({
      method: 'get',
      path: `${BASE}/{incidentId}/timeline`,
      tag: TAG,
      summary: 'The timeline in time order, with corrected times and edited/deleted marks',
      params: S.IncidentParams,
      query: TimelineQuery,
      ok: { status: 200, schema: Timeline, description: 'Every entry' },
    }),
    async (c) => {
      const caller = callerOf(c);
      const { incidentId } = input<P>(c, 'param');
      const q = input<{ changes?: string }>(c, 'query');
      const view = await timelineView(deps, {
        orgId: caller.orgId,
        actor: caller.actor,
        incidentId,
        withChanges: q.changes === 'true',
      });
      return c.json({ items: view.items }, 200);
    },
  );

  register(
    api,
    apiRoute({
      method: 'post',
      path: `${BASE}/{incidentId}/timeline/{seq}/time`,
      tag: TAG,
      summary: "Correct when an entry happened (its author, the commander or an admin's token)",
      params: EntryParams,
      body: CorrectTime,
      ok: { status: 200, schema: Corrected, description: 'The correction recorded (TIMELINE_TIME_CORRECTED)' },
    }),
    async (c) => {
      const caller = callerOf(c);
      const { incidentId, seq } = input<P & { seq: number }>(c, 'param');
      const { time } = input<{ time: string }>(c, 'json');
      const res = await correctEntryTime(deps, { ...caller, incidentId, seq, time });
      return c.json({ seq: res.seq, from: res.from, to: res.to }, 200);
    },
  );
}
