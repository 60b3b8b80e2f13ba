import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { startSlackFake } from '../../src/adapters/slack-fake/slack-fake.server';
import { createApiToken } from '../../src/app/api-tokens.service';
import { addWebhook } from '../../src/app/webhook.service';
import { verifyWebhook } from '../../src/adapters/webhooks/webhook.signature';
import { TEAM, waitFor } from '../helpers/harness';
import { type BotProcess, startBot } from '../helpers/process-harness';
import { createTestDb, dialects } from '../helpers/test-db';

/**
 * SIGKILL the bot while a webhook delivery is in flight: the outbox lease runs out, the next process
 * delivers it again (same delivery id), and every event still arrives, in order.
 */
describe.each(dialects())('webhooks survive a crash mid-delivery (%s)', (dialect) => {
  const cleanup: (() => Promise<unknown> | unknown)[] = [];
  afterAll(async () => {
    for (const f of cleanup.reverse()) await f();
  });

  it('kills the bot while the receiver holds a delivery; a restarted bot delivers everything', async () => {
    const slack = await startSlackFake();
    cleanup.push(() => slack.close());
    const tdb = await createTestDb(dialect);
    cleanup.push(() => tdb.destroy());
    const got: { id: string; body: string; signature: string; answered: boolean }[] = [];
    let hold: ServerResponse | undefined;
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const entry = {
          id: String(req.headers['revenant-delivery']),
          body: Buffer.concat(chunks).toString('utf8'),
          signature: String(req.headers['revenant-signature']),
          answered: false,
        };
        got.push(entry);
        // The very first delivery is held open: the bot is killed while waiting for it.
        if (got.length === 1) {
          hold = res;
          return;
        }
        entry.answered = true;
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
    cleanup.push(() => hold?.destroy());
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/in`;
    const sub = await addWebhook(tdb.db, {
      orgId: TEAM,
      url,
      events: 'incident.*',
      createdBy: 'test',
      now: new Date(),
    });
    const token = (
      await createApiToken(tdb.db, { orgId: TEAM, role: 'admin', name: 'crash', createdBy: 'test', now: new Date() })
    ).secret;
    const env = { slackApiUrl: slack.url, databaseUrl: tdb.url, extra: { OUTBOX_LEASE_MS: '1000' } };

    let bot: BotProcess = await startBot(env, 60_000);
    cleanup.push(() => bot.kill9());
    const res = await fetch(`${bot.url}/api/v1/orgs/${TEAM}/incidents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Crash during webhook', severity: 'SEV2' }),
    });
    expect(res.status).toBe(201);
    const incidentId = ((await res.json()) as { id: string }).id;
    await waitFor(() => hold, 20_000, 'the first delivery in flight');
    bot.kill9();
    await bot.exited;
    hold!.destroy();

    bot = await startBot(env, 60_000);
    await waitFor(
      async () => {
        const events = await tdb.db
          .selectFrom('incident_events')
          .select('seq')
          .where('incident_id', '=', incidentId)
          .execute();
        const accepted = new Set(got.filter((g) => g.answered).map((g) => g.id));
        return events.length >= 3 && accepted.size >= events.length;
      },
      40_000,
      'every event accepted after the restart',
    );
    const events = await tdb.db
      .selectFrom('incident_events')
      .select('seq')
      .where('incident_id', '=', incidentId)
      .orderBy('seq')
      .execute();
    const accepted = got.filter((g) => g.answered);
    expect(got[1].id).toBe(got[0].id); // the killed delivery, sent again with its delivery id
    const firstSeen = [
      ...new Map(accepted.map((g) => [g.id, (JSON.parse(g.body) as { event: { seq: number } }).event.seq])).values(),
    ];
    expect(firstSeen).toEqual(events.map((e) => Number(e.seq)));
    expect(got.every((g) => verifyWebhook(sub.secret, g.body, g.signature, Math.floor(Date.now() / 1000)))).toBe(true);
    await bot.term();
  }, 180_000);
});
