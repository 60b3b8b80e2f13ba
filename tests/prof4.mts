import { startHarness, TEAM } from '/work/main/tests/helpers/harness';
import { connector, bearer, overSocket } from '/work/main/tests/helpers/alerts';
const h = await startHarness((process.env.DIALECT as any) ?? 'sqlite');
const gen = await connector(h.tdb.db, TEAM, 'generic');
const am = await connector(h.tdb.db, TEAM, 'alertmanager');
const send = overSocket(h.app.url);
const startsAt = new Date().toISOString();
const batch = (b: number) => ({ receiver: 'r', status: 'firing', version: '4', groupKey: 'g', truncatedAlerts: 0, groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: 'http://x', alerts: Array.from({ length: 100 }, (_, i) => ({ status: 'firing', labels: { alertname: 'X', service: 'svc', env: 'prod', severity: 'critical', pod: `p${b}-${i}` }, annotations: { summary: `p${b}-${i} bad` }, startsAt, endsAt: '0001-01-01T00:00:00Z', generatorURL: 'http://x', fingerprint: `b${b}i${i}` })) });
for (let b = 0; b < 50; b++) await send(am.id, JSON.stringify(batch(b)), bearer(am.token));
let t = performance.now();
for (let i = 0; i < 300; i++) {
  const r = await send(gen.id, JSON.stringify({ serviceName: 'svc', environment: 'prod', status: 'firing', title: `p ${i}`, severity: 'critical', startsAt, fingerprint: `f-${i}` }), bearer(gen.token));
  if (r.status !== 202) throw new Error(JSON.stringify(r));
}
console.log('singles at 5000 signals', ((performance.now() - t) / 300).toFixed(2), 'ms/req');
await h.close();
