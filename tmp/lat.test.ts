import { it } from 'vitest';
import { startSlackFake } from '../src/adapters/slack-fake/slack-fake.server';
import { createTestDb } from '../tests/helpers/test-db';
import { startBot, slash } from '../tests/helpers/process-harness';
it('lat', async () => {
  const fake = await startSlackFake();
  const tdb = await createTestDb((process.env.D as any) ?? 'postgres');
  const n = Number(process.env.BOTS ?? 1);
  const bots = await Promise.all(Array.from({ length: n }, () => startBot({ slackApiUrl: fake.url, databaseUrl: tdb.url, extra: { DATABASE_POOL_MAX: '10' } })));
  const lat: number[] = [];
  let next = 0;
  const t0 = Date.now();
  await Promise.all(Array.from({ length: 16 }, async () => {
    for (let i = next++; i < 100; i = next++) {
      const t = performance.now();
      const r = await slash(bots[i % n].url, fake.responseUrl(), `declare sev2 Lat ${i}`);
      lat.push(Math.round(performance.now() - t));
      if (r.status !== 200) console.log('status', r.status);
    }
  }));
  lat.sort((a, b) => a - b);
  console.log('total', Date.now() - t0, 'p50', lat[50], 'p90', lat[90], 'max', lat[99]);
  for (const b of bots) await b.term();
  await fake.close(); await tdb.destroy();
}, 120000);
