import { type Parsed, parseTime } from './normaliser.helpers';

/**
 * The common case of an Alertmanager body, read without zod. zod took ~15 µs per alert and the whole
 * normalise ~40 µs: more than Alertmanager spends on an alert end to end, and every repeated delivery
 * (Alertmanager re-sends a firing group every group_interval) pays it before it is found to be a repeat.
 *
 * Stricter than `AlertmanagerWebhookSchema`, never looser: a body it takes is one the schema takes, read
 * to the same values (a property test compares the two). Anything else (a null where a field is optional,
 * a label that is not a string, an unknown status, a bad time…) returns undefined and goes through the
 * schema, which names every problem.
 */
export interface FastAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  generatorURL?: string;
  fingerprint?: string;
  /** `parseTime` of startsAt and endsAt, already taken to check them. */
  times: { startsAt: Parsed<string>; endsAt: Parsed<string> };
}

export interface FastPayload {
  version?: string;
  groupKey?: string;
  truncatedAlerts?: number;
  alerts: FastAlert[];
}

type Obj = Record<string, unknown>;

/** A JSON object (what JSON.parse makes); zod accepts more, and those go to zod. */
const isPlain = (v: unknown): v is Obj =>
  typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;

const optionalString = (v: unknown): boolean => v === undefined || typeof v === 'string';

function isLabelSet(v: unknown): v is Record<string, string> {
  if (!isPlain(v)) return false;
  for (const k in v) if (typeof v[k] !== 'string') return false;
  return true;
}

const ENVELOPE_STRINGS = ['version', 'groupKey', 'receiver', 'externalURL'] as const;
const ENVELOPE_LABELS = ['groupLabels', 'commonLabels', 'commonAnnotations'] as const;

function fastAlert(a: unknown): FastAlert | undefined {
  if (!isPlain(a)) return undefined;
  const { status, labels, startsAt, endsAt, generatorURL, fingerprint } = a;
  const annotations = a.annotations === undefined ? {} : a.annotations;
  if (status !== 'firing' && status !== 'resolved') return undefined;
  if (!isLabelSet(labels) || !isLabelSet(annotations)) return undefined;
  if (typeof startsAt !== 'string' || !optionalString(endsAt)) return undefined;
  if (!optionalString(generatorURL) || !optionalString(fingerprint)) return undefined;
  const start = parseTime(startsAt);
  if (!start.ok || start.value === undefined) return undefined;
  const end = parseTime(endsAt);
  if (!end.ok) return undefined;
  return {
    status,
    labels,
    annotations,
    startsAt,
    endsAt: endsAt as string | undefined,
    generatorURL: generatorURL as string | undefined,
    fingerprint: fingerprint as string | undefined,
    times: { startsAt: start, endsAt: end },
  };
}

/** The body read as `AlertmanagerWebhookSchema` would read it, or undefined: let the schema decide. */
export function fastAlertmanagerPayload(body: unknown): FastPayload | undefined {
  if (!isPlain(body) || !Array.isArray(body.alerts)) return undefined;
  for (const k of ENVELOPE_STRINGS) if (!optionalString(body[k])) return undefined;
  for (const k of ENVELOPE_LABELS) if (body[k] !== undefined && !isLabelSet(body[k])) return undefined;
  if (body.status !== undefined && body.status !== 'firing' && body.status !== 'resolved') return undefined;
  const truncated = body.truncatedAlerts;
  if (truncated !== undefined && !(Number.isSafeInteger(truncated) && (truncated as number) >= 0)) return undefined;
  const alerts: FastAlert[] = [];
  for (const a of body.alerts as unknown[]) {
    const alert = fastAlert(a);
    if (!alert) return undefined;
    alerts.push(alert);
  }
  return {
    version: body.version as string | undefined,
    groupKey: body.groupKey as string | undefined,
    truncatedAlerts: truncated as number | undefined,
    alerts,
  };
}
