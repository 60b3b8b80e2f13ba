import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEOPLE_SUMMARY_INTERVAL_MS } from '../../src/adapters/slack/delivery/edit-pacing';
import { type Harness, startHarness, TEAM } from '../helpers/harness';
import { dialects } from '../helpers/test-db';

const incident = (h: Harness, n: number) =>
  h.tdb.db.selectFrom('incidents').selectAll().where('org_id', '=', TEAM).where('number', '=', n).executeTakeFirstOrThrow();

describe.each(dialects())('people-caused summary edits are paced per incident (%s)', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(dialect);
  });
  afterAll(async () => h?.close());

  it('a burst of commands edits the pinned summary at most once per interval, and the last edit shows the end state', async () => {
    await h.command('declare sev3 Paced summary edits');
    await h.settle();
    const inc = await incident(h, 1);
    const edits = () => h.slack.callsTo('chat.update').filter((c) => c.params.ts === inc.summary_ts).length;
    const editsBefore = edits();
    const posts = () => h.slack.callsTo('chat.postMessage').filter((c) => c.params.channel === inc.channel_id).length;
    const postsBefore = posts();

    const t0 = Date.now();
    const burst = Array.from({ length: 12 }, (_, i) => `note burst note ${i}`).concat(['severity sev1']);
    for (const text of burst) {
      const r = await h.command(text, { channel: inc.channel_id! });
      expect(r.status, text).toBe(200);
      expect(r.body.text, text).not.toMatch(/:warning:|:x:/);
    }
    const elapsed = Date.now() - t0;
    await h.settle();

    // Every command still gets its own message in the channel: only the summary's edits fold.
    expect(posts() - postsBefore).toBe(burst.length);
    // The leading edit at once, then at most one per interval the burst lasted (it took `elapsed` ms).
    const bound = 1 + Math.ceil(elapsed / PEOPLE_SUMMARY_INTERVAL_MS);
    const made = edits() - editsBefore;
    expect(made).toBeGreaterThanOrEqual(1);
    expect(made, `${made} edits for ${burst.length} commands over ${elapsed} ms`).toBeLessThanOrEqual(bound);
    expect(bound, 'the burst must be faster than one edit per command for this test to mean anything').toBeLessThan(burst.length);
    const pinned = h.slack.messages(inc.channel_id!).find((m) => m.ts === inc.summary_ts)!;
    expect(JSON.stringify(pinned.blocks)).toContain('SEV1'); // the trailing edit rendered the state after the burst
  });

  it('a lone change after a quiet interval edits at once', async () => {
    const inc = await incident(h, 1);
    await new Promise((r) => setTimeout(r, PEOPLE_SUMMARY_INTERVAL_MS + 100));
    const edits = () => h.slack.callsTo('chat.update').filter((c) => c.params.ts === inc.summary_ts).length;
    const before = edits();
    const t0 = Date.now();
    await h.command('severity sev2', { channel: inc.channel_id! });
    await h.settle();
    expect(edits()).toBe(before + 1);
    expect(Date.now() - t0).toBeLessThan(PEOPLE_SUMMARY_INTERVAL_MS); // not held back to a trailing edge
    const pinned = h.slack.messages(inc.channel_id!).find((m) => m.ts === inc.summary_ts)!;
    expect(JSON.stringify(pinned.blocks)).toContain('SEV2');
  });
});
