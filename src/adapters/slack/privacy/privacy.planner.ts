import { effect, type PlannedEffect } from '../../../app/effects';
import type { IncidentEvent, IncidentState } from '../../../incidents/incident.types';
import type { PrivacyEventData } from '../../../incidents/privacy.decider';

/** What ANNOUNCE_CHANNEL hears of a private incident's declaration: nothing, or this (PRIVATE_ANNOUNCE=neutral). */
export const NEUTRAL_ANNOUNCEMENT = ':lock: A private incident was declared.';
/** What an announcement already posted for an incident made private is edited to. */
export const NEUTRAL_EDITED_ANNOUNCEMENT = ':lock: This incident was made private.';

/** Effects of the privacy events (membership, access requests, the switch to private). */
export function planPrivacy(e: IncidentEvent & PrivacyEventData, after: IncidentState): PlannedEffect[] {
  const incidentId = after.id;
  switch (e.type) {
    case 'MEMBER_ADDED':
      return [
        effect('slack.invite', { incidentId, userIds: [e.userId] }),
        effect('slack.post', {
          incidentId,
          text:
            e.via === 'approved'
              ? `:unlock: <@${e.userId}> joined: access approved.`
              : `:busts_in_silhouette: <@${e.actor}> invited <@${e.userId}>.`,
        }),
      ];
    case 'ADMIN_JOINED':
      return [
        effect('slack.invite', { incidentId, userIds: [e.userId] }),
        effect('slack.post', { incidentId, text: `:shield: <@${e.userId}> joined as a workspace admin (recorded).` }),
      ];
    case 'ACCESS_REQUESTED':
      return [effect('privacy.access_request', { incidentId, requestId: e.requestId, userId: e.userId })];
    case 'ACCESS_DECIDED':
      return [
        effect('privacy.access_decided', {
          incidentId,
          requestId: e.requestId,
          userId: e.userId,
          decision: e.decision,
          by: e.by,
        }),
      ];
    case 'INCIDENT_MADE_PRIVATE':
      return [effect('privacy.make_private', { incidentId, members: e.members })];
    case 'PRIVATE_INCIDENT_VIEWED':
      return [];
  }
}

/**
 * Whether (and what) to announce for an incident: public ones as given; a private one's declaration only as the
 * neutral line when PRIVATE_ANNOUNCE=neutral, and nothing else of it, ever.
 */
export function announcementFor(
  after: Pick<IncidentState, 'visibility'>,
  text: string,
  kind: 'declared' | 'other',
  privateAnnounce: 'none' | 'neutral' | undefined,
): string | undefined {
  if (after.visibility !== 'private') return text;
  return kind === 'declared' && privateAnnounce === 'neutral' ? NEUTRAL_ANNOUNCEMENT : undefined;
}
