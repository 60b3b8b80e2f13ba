import { it } from 'vitest';
import { startHarness } from '../tests/helpers/harness';
it('lat2', async () => {
  const h = await startHarness((process.env.D as any) ?? 'postgres', {}, { startWorker: process.env.W !== '0' });
  const lat: number[] = [];
  const t0 = Date.now();
  for (let i = 0; i < 50; i++) {
    const r = await h.command(`declare sev2 Lat ${i}`);
    lat.push(Math.round(r.ms));
  }
  console.log('sequential total', Date.now() - t0, lat.slice(0, 10).join(','), '...', lat.slice(-10).join(','));
  await h.close();
}, 120000);
