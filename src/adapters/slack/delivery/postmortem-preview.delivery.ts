import type { DeliveryOutcome } from '../../../app/effects';
import { findIncidentById } from '../../db/incident.queries';
import { getPostmortem } from '../../db/postmortem.repo';
import type { DeliveredEffect } from '../../outbox/effect-registry';
import { postmortemPreview } from '../postmortems/postmortem.blocks';
import { inChannel, postOnce, slackOutcome } from '../slack-idempotent';
import type { ScheduledDeliveryDeps } from './delivery.deps';

/**
 * `postmortem.preview`, planned from POSTMORTEM_DRAFTED. The preview is rendered when delivered, from
 * the stored draft: the markdown is committed in the same transaction as the event, and the outbox row
 * stays small (no 3 kB of blocks per version).
 */
export async function deliverPostmortemPreview(
  deps: Pick<ScheduledDeliveryDeps, 'db' | 'clientFor'>,
  e: DeliveredEffect<'postmortem.preview'>,
): Promise<DeliveryOutcome> {
  const client = await deps.clientFor(e.orgId);
  if (!client) return { type: 'failed', error: 'workspace_not_installed' };
  const inc = await findIncidentById(deps.db, e.orgId, e.payload.incidentId);
  if (!inc) return { type: 'failed', error: 'incident_not_found' };
  if (!inc.channel_id) return { type: 'retry', afterMs: 2000, error: 'channel not open yet' };
  const { version, generator, model, fallback } = e.payload;
  const draft = await getPostmortem(deps.db, e.orgId, inc.id, version);
  if (!draft) return { type: 'failed', error: `postmortem draft v${version} not found` };
  const msg = postmortemPreview({
    incident: { number: inc.number, title: inc.title, prUrl: inc.postmortem_pr_url },
    draft,
    origin: { generator, model, fallback },
  });
  const channel = inc.channel_id;
  try {
    const ts = await inChannel(client, channel, () =>
      postOnce(client, e.attempts > 1, { channel, text: msg.text, blocks: msg.blocks, effectId: String(e.id) }),
    );
    return { type: 'done', result: { ts } };
  } catch (err) {
    return slackOutcome(err);
  }
}
