import { sql } from 'kysely';
import { createDb } from '../src/adapters/db/create-db';
const db = createDb({ dialect: 'postgres', location: 'postgres://postgres@127.0.0.1:5432/test' }, { poolMax: 5 });
for (let round = 0; round < 3; round++) {
  const t = performance.now();
  for (let i = 0; i < 100; i++) await sql`select 1`.execute(db);
  console.log('100 kysely select1 ms', Math.round(performance.now() - t));
}
const t = performance.now();
for (let i = 0; i < 20; i++) await db.transaction().execute(async (trx) => { await sql`select 1`.execute(trx); await sql`select 2`.execute(trx); });
console.log('20 txns ms', Math.round(performance.now() - t));
await db.destroy();
