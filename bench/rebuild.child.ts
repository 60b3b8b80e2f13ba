import { createDb } from '../src/adapters/db/create-db';
import { rebuildProjections } from '../src/adapters/db/rebuild';
import { rawScan } from './event-log.generator';

/**
 * Child-process entry: the raw scan and `rebuildProjections` over the SQLite file in argv[2], in a
 * fresh process (as `revenant projections rebuild` runs), so the bench's own heap does not tax its GC.
 * Prints one JSON line.
 */
const file = process.argv[2];
const scan = rawScan(file);
const db = createDb({ dialect: 'sqlite', location: file });
const cpu0 = process.cpuUsage();
const r = await rebuildProjections(db);
const cpu = process.cpuUsage(cpu0);
const [inc, tl] = await Promise.all([
  db.selectFrom('incidents').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  db.selectFrom('incident_timeline').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
]);
await db.destroy();
console.log(JSON.stringify({ scan, rebuild: r, cpuS: (cpu.user + cpu.system) / 1e6, incidentRows: Number(inc.n), timelineRows: Number(tl.n) }));
