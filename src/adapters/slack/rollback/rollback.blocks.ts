import type { RollbackPlan } from '../../../app/rollback.service';
import { formatDuration, type RollbackItem } from '../../../incidents/rollback.decider';
import { assertNever } from '../../../shared/domain-error';
import { escapeMrkdwn as esc } from '../../../shared/text';

/** Pure Block Kit for rolling back from an incident: the button, the confirmation, the summary line. */
export const ROLLBACK_IDS = {
  /** The **Roll back** button (summary Changes line, `/incident changes`, guidance). */
  open: 'rollback_open',
  /** The confirmation modal's callback id. */
  confirm: 'rollback_confirm',
} as const;

export interface RollbackButtonValue {
  incidentId: string;
  service: string;
  environment: string;
}

/** Untrusted on the way back: the listener re-checks the channel's incident, the org and the role. */
export function encodeRollbackValue(v: RollbackButtonValue): string {
  return JSON.stringify({ v: 1, i: v.incidentId, s: v.service.slice(0, 200), e: v.environment.slice(0, 100) });
}

export function decodeRollbackValue(value: string | undefined): RollbackButtonValue | undefined {
  try {
    const o = JSON.parse(value ?? '') as { v?: unknown; i?: unknown; s?: unknown; e?: unknown };
    if (o.v !== 1 || typeof o.i !== 'string' || typeof o.s !== 'string' || typeof o.e !== 'string') return undefined;
    if (!o.i || !o.s || !o.e || o.i.length > 200) return undefined;
    return { incidentId: o.i, service: o.s, environment: o.e };
  } catch {
    return undefined;
  }
}

export function rollbackButton(v: RollbackButtonValue, text = 'Roll back') {
  return {
    type: 'button' as const,
    action_id: ROLLBACK_IDS.open,
    style: 'danger' as const,
    text: { type: 'plain_text' as const, text, emoji: true },
    value: encodeRollbackValue(v),
  };
}

export interface ConfirmMetadata {
  incidentId: string;
  service: string;
  environment: string;
  from: string;
  to: string;
}

const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: true });

/** The confirmation: names the environment and from → to, and how it will run. */
export function confirmRollbackModal(plan: RollbackPlan) {
  const meta: ConfirmMetadata = {
    incidentId: plan.incidentId,
    service: plan.service,
    environment: plan.environment,
    from: plan.fromVersion,
    to: plan.toVersion,
  };
  const text =
    `Roll back *${esc(plan.service)}* in \`${esc(plan.environment)}\` from *${esc(plan.fromVersion)}* to *${esc(plan.toVersion)}*` +
    ` (its last successful version before).\n\nThis runs the ${esc(plan.targetText)} with inputs ` +
    `\`service=${esc(plan.service)}\`, \`environment=${esc(plan.environment)}\`, \`version=${esc(plan.toVersion)}\`.`;
  return {
    type: 'modal' as const,
    callback_id: ROLLBACK_IDS.confirm,
    private_metadata: JSON.stringify(meta),
    title: plain('Roll back?'),
    submit: plain('Roll back'),
    close: plain('Cancel'),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `Recorded on INC-${plan.incidentNumber}'s timeline with your name; the summary follows it live.`,
          },
        ],
      },
    ],
  };
}

export function readConfirmMetadata(raw: string | undefined): ConfirmMetadata | undefined {
  try {
    const o = JSON.parse(raw ?? '') as Partial<ConfirmMetadata>;
    const ok = ['incidentId', 'service', 'environment', 'from', 'to'].every(
      (k) => typeof o[k as keyof ConfirmMetadata] === 'string' && o[k as keyof ConfirmMetadata],
    );
    return ok ? (o as ConfirmMetadata) : undefined;
  } catch {
    return undefined;
  }
}

/** What replaces the confirmation when the rollback cannot start (the reason, no submit). */
export function refusedRollbackModal(reason: string) {
  return {
    type: 'modal' as const,
    callback_id: `${ROLLBACK_IDS.confirm}_refused`,
    title: plain('Cannot roll back'),
    close: plain('Close'),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: reason.slice(0, 2900) } }],
  };
}

function statusText(r: RollbackItem): string {
  switch (r.status) {
    case 'requested':
      return ':hourglass_flowing_sand: requested';
    case 'started':
      return ':arrows_counterclockwise: in progress';
    case 'completed':
      return `:white_check_mark: done in ${formatDuration(r.durationMs ?? 0)}`;
    case 'failed':
      return `:x: failed${r.reason ? `: ${esc(r.reason)}` : ''}`;
    case 'timed_out':
      return ':hourglass: timed out';
    default:
      return assertNever(r.status);
  }
}

/** "*Rollback* checkout `production` v1.4.2 → v1.4.1: in progress (asked by @alice)", latest first, at most 3. */
export function rollbackLine(rollbacks: readonly RollbackItem[]): string | undefined {
  if (rollbacks.length === 0) return undefined;
  const who = (id: string) => (/^[UW][A-Z0-9]+$/.test(id) ? `<@${id}>` : esc(id));
  const lines = [...rollbacks]
    .reverse()
    .slice(0, 3)
    .map(
      (r) =>
        `${esc(r.service)} \`${esc(r.environment)}\` ${esc(r.fromVersion)} → ${esc(r.toVersion)}: ${statusText(r)} (asked by ${who(r.requestedBy)})`,
    );
  return `*Rollback* ${lines.join('; ')}`.slice(0, 2900);
}
