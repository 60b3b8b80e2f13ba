import { type IncidentRole, INCIDENT_ROLES, type IncidentStatus, type Severity, SEVERITIES, STATUSES } from '../../incidents/incident.types';
import { DomainError } from '../../shared/domain-error';

export interface ParsedCommand {
  sub: string;
  rest: string;
}

/** `/incident <sub> <rest…>`; no text means help. */
export function parseCommandText(text: string): ParsedCommand {
  const t = text.trim();
  if (!t) return { sub: 'help', rest: '' };
  const m = /^(\S+)\s*([\s\S]*)$/.exec(t);
  return { sub: (m?.[1] ?? '').toLowerCase(), rest: (m?.[2] ?? '').trim() };
}

export function parseSeverity(word: string | undefined): Severity | undefined {
  const w = (word ?? '').trim().toUpperCase();
  if ((SEVERITIES as readonly string[]).includes(w)) return w as Severity;
  if (/^[1-4]$/.test(w)) return `SEV${w}` as Severity;
  return undefined;
}

export function requireSeverity(word: string | undefined): Severity {
  const s = parseSeverity(word);
  if (!s) throw new DomainError('invalid_input', `“${word ?? ''}” is not a severity. Use sev1 (critical outage) to sev4 (low urgency).`);
  return s;
}

export function parseStatus(word: string | undefined): IncidentStatus {
  const w = (word ?? '').trim().toUpperCase();
  const aliases: Record<string, IncidentStatus> = { CANCEL: 'CANCELLED', CANCELED: 'CANCELLED', RESOLVE: 'RESOLVED', MITIGATE: 'MITIGATED', INVESTIGATE: 'INVESTIGATING', REOPEN: 'INVESTIGATING' };
  const s = (STATUSES as readonly string[]).includes(w) ? (w as IncidentStatus) : aliases[w];
  if (!s || s === 'OPEN') throw new DomainError('invalid_input', `“${word ?? ''}” is not a status. Use investigating, mitigated, resolved or cancelled.`);
  return s;
}

export function parseRole(word: string | undefined): IncidentRole {
  const w = (word ?? '').trim().toLowerCase();
  if ((INCIDENT_ROLES as readonly string[]).includes(w)) return w as IncidentRole;
  throw new DomainError('invalid_input', `“${word ?? ''}” is not an incident role. Use commander, comms or scribe.`);
}

/**
 * Slack escapes mentions as `<@U123|name>` (manifest: should_escape true). A bare `@name` cannot be
 * resolved to a user id without a directory lookup, so it is refused with a hint.
 */
export function parseUserMention(word: string | undefined): string {
  const m = /^<@([UW][A-Z0-9]+)(\|[^>]*)?>$/.exec((word ?? '').trim());
  if (!m) throw new DomainError('invalid_input', `“${word ?? ''}” is not a user mention. Pick the person with @ so Slack turns it into a mention.`);
  return m[1];
}

export function parseChannelMention(word: string | undefined): string | undefined {
  const m = /^<#([CG][A-Z0-9]+)(\|[^>]*)?>$/.exec((word ?? '').trim());
  return m?.[1];
}

export function splitFirst(rest: string): [string, string] {
  const m = /^(\S+)\s*([\s\S]*)$/.exec(rest.trim());
  return m ? [m[1], m[2].trim()] : ['', ''];
}
