import { nextIncidentNumber } from '../adapters/db/incident.queries';
import type { Trx } from '../adapters/db/schema';
import { incidentChannelName } from '../incidents/channel-name';
import type { IncidentCommand, Severity, SignalRef } from '../incidents/incident.types';

export interface DeclareRequest {
  orgId: string;
  title: string;
  severity: Severity;
  service?: string;
  environment?: string;
  description?: string;
  signal?: SignalRef;
  /** Private: a private channel named `<privateChannelPrefix>-<n>` (no title slug), members only. */
  visibility?: 'public' | 'private';
  privateChannelPrefix?: string;
}

/**
 * The DeclareIncident command, built inside the appending transaction so the per-workspace number is
 * taken there (a lost race retries). Shared by people (slash command, modal, digest) and alerts.
 */
export const declareCommand =
  (channelPrefix: string, req: DeclareRequest) =>
  async (trx: Trx): Promise<IncidentCommand> => {
    const number = await nextIncidentNumber(trx, req.orgId);
    const priv = req.visibility === 'private';
    return {
      type: 'DeclareIncident',
      number,
      title: req.title.trim(),
      severity: req.severity,
      service: req.service?.trim() || undefined,
      environment: req.environment,
      description: req.description?.trim() || undefined,
      channelName: priv
        ? incidentChannelName(req.privateChannelPrefix ?? 'inc-private', number, '')
        : incidentChannelName(channelPrefix, number, req.title),
      signal: req.signal,
      ...(priv ? { visibility: 'private' as const } : {}),
    };
  };
