import { startHarness, TEAM } from '/work/main/tests/helpers/harness';
import { connector, bearer, overSocket } from '/work/main/tests/helpers/alerts';
const h = await startHarness((process.env.DIALECT as any) ?? 'sqlite');
const am = await connector(h.tdb.db, TEAM, 'alertmanager');
const send = overSocket(h.app.url);
const startsAt = new Date().toISOString();
const batch = (b: number) => ({ receiver: 'r', status: 'firing', version: '4', groupKey: 'g', truncatedAlerts: 0, groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: 'http://x', alerts: Array.from({ length: 100 }, (_, i) => ({ status: 'firing', labels: { alertname: 'X', service: 'svc', env: 'prod', severity: 'critical', pod: `p${b}-${i}` }, annotations: { summary: `p${b}-${i} bad` }, startsAt, endsAt: '0001-01-01T00:00:00Z', generatorURL: 'http://x', fingerprint: `b${b}i${i}` })) });
let t = performance.now();
for (let b = 0; b < 100; b++) {
  const r = await send(am.id, JSON.stringify(batch(b)), bearer(am.token));
  if (r.status !== 202) throw new Error(JSON.stringify(r));
  if (b % 20 === 19) { console.log((b + 1) * 100, ((performance.now() - t) / 20).toFixed(1), 'ms/batch'); t = performance.now(); }
}
await h.close();
