import type { WebClient } from '@slack/web-api';
import type { DeliveryOutcome } from '../../../app/effects';
import type { DB, IncidentRow } from '../../db/schema';
import type { DeliveredEffect } from '../../outbox/effect-registry';
import { postOnce, repeatable } from '../slack-idempotent';
import { clipMrkdwn, untrustedMrkdwn as u } from '../../../shared/text';

/** One threaded message under the summary, edited as signals pile up, instead of a message per alert. */
export async function signalRollup(
  db: DB,
  client: WebClient,
  e: DeliveredEffect<'incident.signal_rollup'>,
  inc: IncidentRow,
): Promise<DeliveryOutcome> {
  if (!inc.channel_id || !inc.summary_ts) return { type: 'retry', afterMs: 2000, error: 'summary not posted yet' };
  const signals = await db
    .selectFrom('incident_signals')
    .select(['title', 'service', 'environment', 'status', 'source'])
    .where('org_id', '=', e.orgId)
    .where('incident_id', '=', inc.id)
    .orderBy('last_seen_at', 'desc')
    .limit(10)
    .execute();
  // Alert text is untrusted: escaped, so an annotation's <!everyone> or disguised link is shown, not relayed.
  const lines = signals.map(
    (s) =>
      `• ${s.status === 'firing' ? ':red_circle:' : ':large_green_circle:'} ${u(s.title)} (${u(`${s.service}/${s.environment}, ${s.source}`)})`,
  );
  const text = clipMrkdwn(
    `*${inc.signal_count} signals* on this incident (${inc.open_signal_count} firing). Latest:\n${lines.join('\n')}`,
    2900,
  );
  const prev = await db
    .selectFrom('outbox')
    .select('result')
    .where('incident_id', '=', inc.id)
    .where('kind', '=', 'incident.signal_rollup')
    .where('status', '=', 'done')
    .where('result', 'is not', null)
    .orderBy('id', 'desc')
    .limit(20)
    .execute();
  // Superseded rows carry no ts: look past them to the message we actually posted.
  const prevTs = prev.map((p) => tsOf(p.result)).find(Boolean);
  if (prevTs) {
    await repeatable(() => client.chat.update({ channel: inc.channel_id!, ts: prevTs, text }));
    return { type: 'done', result: { ts: prevTs } };
  }
  const ts = await postOnce(client, e.attempts > 1, {
    channel: inc.channel_id,
    text,
    thread_ts: inc.summary_ts,
    effectId: `rollup:${inc.id}`,
  });
  return { type: 'done', result: { ts } };
}

function tsOf(result: string | null): string | undefined {
  const v: unknown = JSON.parse(result ?? 'null');
  return v && typeof v === 'object' && 'ts' in v && typeof v.ts === 'string' ? v.ts : undefined;
}
