import { deliverAutoExport, deliverExport, deliverIssueSync, type FollowUpDeliveryDeps } from '../../app/followup-delivery.service';
import type { Deliver } from '../outbox/effect-registry';
import type { SlackDeliveryDeps } from '../slack/delivery/delivery.deps';
import { appRedirect } from '../slack/postmortems/postmortem.ports';
import { followUpDepsOf } from './followups.wiring';

/** The outbox deliverers of follow-ups in GitHub Issues (effects `followup.*`), over src/app/followup-delivery.service.ts. */
export function followUpDeliveryDeps(deps: Pick<SlackDeliveryDeps, 'db' | 'config' | 'now' | 'incidents'>): FollowUpDeliveryDeps {
  return {
    ...followUpDepsOf(deps),
    // Slack's own redirect into the channel: works for everyone in the workspace, needs no API call.
    incidentLink: (orgId, state) => (state.channelId ? appRedirect(orgId, state.channelId) : undefined),
  };
}

export function createFollowUpDeliveries(deps: Pick<SlackDeliveryDeps, 'db' | 'config' | 'now' | 'incidents'>): {
  'followup.export': Deliver<'followup.export'>;
  'followup.sync_issue': Deliver<'followup.sync_issue'>;
  'followup.auto_export': Deliver<'followup.auto_export'>;
} {
  const d = followUpDeliveryDeps(deps);
  return {
    'followup.export': (e) => deliverExport(d, { orgId: e.orgId, ...e.payload, attempts: e.attempts }),
    'followup.sync_issue': (e) => deliverIssueSync(d, { orgId: e.orgId, ...e.payload }),
    'followup.auto_export': (e) => deliverAutoExport(d, { orgId: e.orgId, ...e.payload }),
  };
}
