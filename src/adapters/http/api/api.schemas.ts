import { z } from '@hono/zod-openapi';
import { INCIDENT_ROLES, MAX_TEXT, MAX_TITLE, SEVERITIES, STATUSES } from '../../../incidents/incident.types';

/** Wire shapes of the REST API; the OpenAPI document is generated from these. */
const nullable = <T extends z.ZodTypeAny>(t: T) => t.nullable();
const iso = z.string().openapi({ format: 'date-time', example: '2026-12-02T03:00:00.000Z' });
const userId = z
  .string()
  .regex(/^[UW][A-Z0-9]{2,30}$/, 'must be a Slack user id such as U0123ABCD')
  .openapi({ example: 'U0123ABCD' });

export const Status = z.enum(STATUSES).openapi('IncidentStatus');
export const SeverityEnum = z.enum(SEVERITIES).openapi('Severity');
export const RoleEnum = z.enum(INCIDENT_ROLES).openapi('IncidentRole');

export const OrgParams = z.object({
  orgId: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'orgId', in: 'path' }, example: 'T0001' }),
});
export const IncidentParams = OrgParams.extend({
  incidentId: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'incidentId', in: 'path' } }),
});
export const RoleParams = IncidentParams.extend({ role: RoleEnum.openapi({ param: { name: 'role', in: 'path' } }) });
export const ActionParams = IncidentParams.extend({
  actionId: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'actionId', in: 'path' } }),
});

export const Org = z.object({ id: z.string(), role: z.string(), token: z.string() }).openapi('Org');
export const Member = z
  .object({ userId: z.string(), role: z.string(), grantedBy: z.string(), grantedAt: nullable(iso) })
  .openapi('Member');

export const IncidentSummary = z
  .object({
    id: z.string(),
    number: z.number().int(),
    title: z.string(),
    status: Status,
    severity: SeverityEnum,
    service: nullable(z.string()),
    environment: nullable(z.string()),
    source: z.string(),
    channelId: nullable(z.string()),
    commander: nullable(z.string()),
    visibility: z.enum(['public', 'private']),
    openFollowUps: z.number().int(),
    openSignals: z.number().int(),
    createdAt: iso,
    updatedAt: iso,
    resolvedAt: nullable(iso),
  })
  .openapi('IncidentSummary');

export const FollowUp = z
  .object({
    id: z.string(),
    text: z.string(),
    owner: nullable(z.string()),
    done: z.boolean(),
    createdAt: iso,
    completedAt: nullable(iso),
    completedBy: nullable(z.string()),
    issue: nullable(
      z
        .object({ tracker: z.string(), repository: z.string(), number: z.number().int(), url: z.string() })
        .openapi('FollowUpIssue', { description: 'The tracker issue (GitHub) this follow-up is exported to.' }),
    ),
    exportPending: nullable(z.object({ tracker: z.string(), repository: z.string() })),
  })
  .openapi('FollowUp');

export const SloViolation = z
  .object({
    slo: z.string(),
    service: z.string(),
    startedAt: iso,
    endedAt: iso.optional().openapi({ description: 'Absent while the burn goes on' }),
    budgetBurned: z.number().optional().openapi({ description: 'Share of the SLO window\'s error budget burned, 0.38 = 38 %' }),
    window: z.string().optional().openapi({ example: '28d' }),
  })
  .openapi('SloViolation');

export const Signal = z
  .object({
    fingerprint: z.string(),
    service: z.string(),
    environment: z.string(),
    title: z.string(),
    risk: z.string(),
    status: z.string(),
    source: z.string(),
    attachedAt: iso,
    lastSeenAt: iso,
    resolvedAt: nullable(iso),
  })
  .openapi('Signal');

export const TimelineEntry = z
  .object({ seq: z.number().int(), type: z.string(), actor: z.string(), occurredAt: iso, text: z.string() })
  .openapi('TimelineEntry');

export const Incident = z
  .object({
    id: z.string(),
    number: z.number().int(),
    title: z.string(),
    description: nullable(z.string()),
    status: Status,
    severity: SeverityEnum,
    service: nullable(z.string()),
    environment: nullable(z.string()),
    source: z.string(),
    createdBy: z.string(),
    createdAt: iso,
    updatedAt: iso,
    mitigatedAt: nullable(iso),
    resolvedAt: nullable(iso),
    cancelledAt: nullable(iso),
    lastUpdate: nullable(z.object({ at: iso, text: z.string() })),
    roles: z.object({ commander: nullable(z.string()), comms: nullable(z.string()), scribe: nullable(z.string()) }),
    channel: nullable(z.object({ id: nullable(z.string()), name: z.string() })),
    visibility: z.enum(['public', 'private']),
    summaryTs: nullable(z.string()),
    followUps: z.array(FollowUp),
    signals: z.array(Signal),
    timeline: z.object({ count: z.number().int(), recent: z.array(TimelineEntry) }),
    postmortem: z.object({ version: z.number().int(), prUrl: nullable(z.string()) }),
    version: z.number().int(),
    /** `GET /incidents/{id}` only: the SLOs breached during the incident (api-services.routes.ts). */
    sloViolations: z.array(SloViolation).optional(),
  })
  .openapi('Incident');

export const IncidentEvent = z
  .object({
    seq: z.number().int(),
    type: z.string(),
    actor: z.string(),
    occurredAt: iso,
    data: z.record(z.string(), z.unknown()),
  })
  .openapi('IncidentEvent');

const page = <T extends z.ZodTypeAny>(item: T, name: string) =>
  z
    .object({
      items: z.array(item),
      next: nullable(z.string()).openapi({ description: 'Opaque cursor of the next page; null on the last page.' }),
    })
    .openapi(name);
export const IncidentPage = page(IncidentSummary, 'IncidentPage');
export const EventPage = page(IncidentEvent, 'EventPage');

const csvOf = <T extends readonly [string, ...string[]]>(values: T, name: string) =>
  z
    .string()
    .regex(
      new RegExp(`^(${values.join('|')})(,(${values.join('|')}))*$`),
      `must be one or more of ${values.join(', ')}, comma-separated`,
    )
    .optional()
    .openapi({ param: { name, in: 'query' }, example: values[0] });

const limit = z.coerce
  .number()
  .int()
  .min(1)
  .max(200)
  .default(50)
  .openapi({ param: { name: 'limit', in: 'query' }, description: '1–200, default 50' });
const cursor = z
  .string()
  .max(200)
  .optional()
  .openapi({ param: { name: 'cursor', in: 'query' }, description: 'The `next` value of the previous page.' });
const isoParam = (name: string) =>
  z.iso
    .datetime({ offset: true })
    .optional()
    .openapi({ param: { name, in: 'query' }, example: '2026-12-01T00:00:00Z' });

export const IncidentListQuery = z.object({
  status: csvOf(STATUSES, 'status'),
  severity: csvOf(SEVERITIES, 'severity'),
  service: z
    .string()
    .max(100)
    .optional()
    .openapi({ param: { name: 'service', in: 'query' } }),
  environment: z
    .string()
    .max(100)
    .optional()
    .openapi({ param: { name: 'environment', in: 'query' } }),
  since: isoParam('since'),
  until: isoParam('until'),
  q: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .openapi({
      param: { name: 'q', in: 'query' },
      description: 'Full-text search (title, timeline, follow-ups, postmortem).',
    }),
  limit,
  cursor,
});
export const EventListQuery = z.object({ limit, cursor });

const text = (what: string) => z.string().min(1, `the ${what} is empty`).max(MAX_TEXT);
export const DeclareBody = z
  .object({
    title: z.string().min(1).max(MAX_TITLE),
    severity: SeverityEnum.default('SEV3'),
    service: z.string().min(1).max(100).optional(),
    environment: z.string().min(1).max(100).optional(),
    description: text('description').optional(),
    commander: userId.optional().openapi({ description: 'Made commander and invited to the channel.' }),
    visibility: z
      .enum(['public', 'private'])
      .optional()
      .openapi({ description: 'private: a private channel; only members and admins see it (README "Private incidents").' }),
  })
  .strict()
  .openapi('DeclareIncident');
export const StatusBody = z
  .object({ status: Status, message: text('message').optional() })
  .strict()
  .openapi('ChangeStatus');
export const SeverityBody = z.object({ severity: SeverityEnum }).strict().openapi('ChangeSeverity');
export const RoleBody = z.object({ userId }).strict().openapi('AssignRole');
export const TextBody = z
  .object({ text: text('text') })
  .strict()
  .openapi('Text');
export const ActionBody = z
  .object({ text: text('text'), owner: userId.optional() })
  .strict()
  .openapi('AddFollowUp');
export const ActionPatchBody = z.object({ done: z.boolean() }).strict().openapi('SetFollowUpDone');
export const FollowUpResult = z.object({ incident: Incident, followUp: FollowUp }).openapi('FollowUpResult');
