import type { WebClient } from '@slack/web-api';
import { findIncidentById } from '../db/incident.queries';
import { getPostmortem } from '../db/postmortem.repo';
import type { DB } from '../db/schema';
import type { Deliver } from '../outbox/outbox.worker';
import { type DraftOrigin, postmortemPreview } from './postmortem.blocks';
import { slackErrorCode } from './slack-errors';
import { postOnce } from './slack.delivery';
import { slackOutcome } from './slack-idempotent';

/**
 * Planned from POSTMORTEM_DRAFTED with `{ incidentId, version, generator, model, fallback }`.
 * The preview is rendered when delivered, from the stored draft: the markdown is committed in the
 * same transaction as the event, and the outbox row stays small (no 3 kB of blocks per version).
 */
export const POSTMORTEM_PREVIEW_EFFECT = 'postmortem.preview';

export interface PostmortemDeliveryDeps {
  db: DB;
  clientFor: (orgId: string) => Promise<WebClient | undefined>;
}


export function createPostmortemDeliveries(deps: PostmortemDeliveryDeps): Record<string, Deliver> {
  const preview: Deliver = async (row) => {
    const client = await deps.clientFor(row.org_id);
    if (!client) return { type: 'failed', error: 'workspace_not_installed' };
    const inc = await findIncidentById(deps.db, row.org_id, String(row.payload.incidentId));
    if (!inc) return { type: 'failed', error: 'incident_not_found' };
    if (!inc.channel_id) return { type: 'retry', afterMs: 2000, error: 'channel not open yet' };
    const version = Number(row.payload.version);
    const draft = await getPostmortem(deps.db, row.org_id, inc.id, version);
    if (!draft) return { type: 'failed', error: `postmortem draft v${version} not found` };
    const origin = row.payload as DraftOrigin;
    const msg = postmortemPreview({
      incident: { number: inc.number, title: inc.title, prUrl: inc.postmortem_pr_url },
      draft,
      origin: { generator: origin.generator, model: origin.model, fallback: origin.fallback },
    });
    const post = () => postOnce(client, row.attempts > 1, { channel: inc.channel_id!, text: msg.text, blocks: msg.blocks, effectId: String(row.id) });
    try {
      let ts: string;
      try {
        ts = await post();
      } catch (e) {
        if (slackErrorCode(e) !== 'not_in_channel') throw e;
        await client.conversations.join({ channel: inc.channel_id });
        ts = await post();
      }
      return { type: 'done', result: { ts } };
    } catch (e) {
      return slackOutcome(e);
    }
  };
  return { [POSTMORTEM_PREVIEW_EFFECT]: preview };
}
