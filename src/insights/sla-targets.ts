import { SEVERITIES, type Severity } from '../incidents/incident.types';
import { DEFAULT_SLA_TARGETS, type SlaTargets } from './insights.types';

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

function duration(text: string, where: string): number {
  const m = /^(\d+)\s*([mhd])$/i.exec(text.trim());
  if (!m || Number(m[1]) === 0) throw new Error(`${where}: “${text}” is not a duration like 15m, 4h or 3d`);
  return Number(m[1]) * UNIT_MS[m[2].toLowerCase()];
}

/**
 * `SLA_TARGETS`: `SEV1=15m/4h,SEV2=30m/8h` — per severity, acknowledge within / resolve within.
 * Severities left out keep their defaults. Throws with every problem named, for the config module.
 */
export function parseSlaTargets(text: string | undefined): SlaTargets {
  const targets: SlaTargets = { ...DEFAULT_SLA_TARGETS };
  if (!text || text.trim() === '') return targets;
  const problems: string[] = [];
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^(SEV[1-4])\s*=\s*([^/]+)\/(.+)$/i.exec(part);
    if (!m) {
      problems.push(`“${part}” should look like SEV1=15m/4h`);
      continue;
    }
    const severity = m[1].toUpperCase() as Severity;
    try {
      targets[severity] = { ackMs: duration(m[2], severity), resolveMs: duration(m[3], severity) };
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  if (problems.length) throw new Error(problems.join('; '));
  return targets;
}

/** `15m`, `4h`, `3d`: how a target reads back (largest whole unit). */
export function formatTarget(ms: number): string {
  if (ms % UNIT_MS.d === 0) return `${ms / UNIT_MS.d}d`;
  if (ms % UNIT_MS.h === 0) return `${ms / UNIT_MS.h}h`;
  return `${Math.round(ms / UNIT_MS.m)}m`;
}

export const describeSlaTargets = (t: SlaTargets): string =>
  SEVERITIES.map((s) => `${s} ack ${formatTarget(t[s].ackMs)} / resolve ${formatTarget(t[s].resolveMs)}`).join(', ');
