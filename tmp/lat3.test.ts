import { it } from 'vitest';
import { startHarness } from '../tests/helpers/harness';
import { declareIncident } from '../src/adapters/slack/subcommands/core.subcommands';
import { sql } from 'kysely';
it('lat3', async () => {
  const h = await startHarness((process.env.D as any) ?? 'postgres', {}, { startWorker: false });
  const deps = h.app.deps;
  let t0 = performance.now();
  for (let i = 0; i < 50; i++) await sql`select 1`.execute(deps.db);
  console.log('select1 x50', Math.round(performance.now() - t0));
  t0 = performance.now();
  for (let i = 0; i < 50; i++) await declareIncident(deps, { orgId: 'T0001', actor: { kind: 'user', id: 'U0001', role: 'admin' }, title: `x ${i}`, severity: 'SEV2', idempotencyKey: `k${i}` });
  console.log('declare x50', Math.round(performance.now() - t0));
  await h.close();
}, 120000);
