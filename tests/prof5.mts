import { startHarness, TEAM } from '/work/main/tests/helpers/harness';
import { connector, bearer, overSocket } from '/work/main/tests/helpers/alerts';
const h = await startHarness((process.env.DIALECT as any) ?? 'sqlite');
const gen = await connector(h.tdb.db, TEAM, 'generic');
const am = await connector(h.tdb.db, TEAM, 'alertmanager');
const send = overSocket(h.app.url);
const startsAt = new Date().toISOString();
const batch = (b: number) => ({ receiver: 'r', status: 'firing', version: '4', groupKey: 'g', truncatedAlerts: 0, groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: 'http://x', alerts: Array.from({ length: 100 }, (_, i) => ({ status: 'firing', labels: { alertname: 'X', service: 'svc', env: 'prod', severity: 'critical', pod: `p${b}-${i}` }, annotations: { summary: `p${b}-${i} bad` }, startsAt, endsAt: '0001-01-01T00:00:00Z', generatorURL: 'http://x', fingerprint: `b${b}i${i}` })) });
const jobs: (() => Promise<any>)[] = [];
for (let s = 0; s < 1000; s++) { jobs.push(() => send(gen.id, JSON.stringify({ serviceName: 'svc', environment: 'prod', status: 'firing', title: `p ${s}`, severity: 'critical', startsAt, fingerprint: `f-${s}` }), bearer(gen.token))); if (s % 12 === 0 && s / 12 < 80) { const b = s / 12; jobs.push(() => send(am.id, JSON.stringify(batch(b)), bearer(am.token))); } }
const C = Number(process.env.C ?? 8);
let t = performance.now(); let next = 0; const lat: number[] = [];
await Promise.all(Array.from({ length: C }, async () => { while (next < jobs.length) { const j = jobs[next++]; const t0 = performance.now(); const r = await j(); lat.push(performance.now() - t0); if (r.status !== 202) throw new Error(JSON.stringify(r)); } }));
lat.sort((a, b) => a - b);
console.log('C', C, jobs.length, 'reqs in', ((performance.now() - t) / 1000).toFixed(1), 's; p50', lat[lat.length >> 1].toFixed(1), 'p99', lat[Math.floor(lat.length * 0.99)].toFixed(1));
await h.close();
