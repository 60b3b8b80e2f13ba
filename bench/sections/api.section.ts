import { startSlackFake } from '../../src/adapters/slack-fake/slack-fake.server';
import { createDb } from '../../src/adapters/db/create-db';
import { rebuildProjections } from '../../src/adapters/db/rebuild';
import { createApiToken } from '../../src/app/api-tokens.service';
import { type BenchContext, failureNote, row, SIGNING_SECRET } from '../bench.context';
import { createBenchDb } from '../bench-db';
import type { BenchRow, LoadResult } from '../bench.types';
import { generateEventLog } from '../event-log.generator';
import type { LoadJob } from '../load.generator';
import { startBot } from '../processes';
import type { ApiGetSpec } from '../request.builders';

const RATIO_TARGET = 3;
const EVENTS_PER_INCIDENT = 12;
// The API allows 600 requests a minute per token (bursts of 120); the load is spread over enough
// tokens that the bench measures the list, not the rate limiter's 429s.
const TOKENS = 60;
/** generateEventLog(…, orgs = 1) writes every incident into org T0000. */
const ORG = 'T0000';

/**
 * `GET /api/v1/orgs/:org/incidents?limit=50` over an org with `incidents` incidents (a generated log, projected by
 * the real rebuild), open loop at `rate` req/s against the bot, beside a bare-Hono GET of the same shape.
 */
export async function apiSection(ctx: BenchContext): Promise<BenchRow[]> {
  const { incidents, rate, durationS, warmupS } = ctx.scale.api;
  const bdb = await createBenchDb('sqlite');
  await bdb.db.destroy();
  const slack = await startSlackFake();
  try {
    generateEventLog(bdb.file!, incidents, EVENTS_PER_INCIDENT, 1);
    const db = createDb(bdb.target);
    const rebuilt = await rebuildProjections(db);
    const tokens: string[] = [];
    for (let i = 0; i < TOKENS; i++) {
      const t = await createApiToken(db, { orgId: ORG, role: 'viewer', name: `bench-${i}`, createdBy: 'bench', now: new Date() });
      tokens.push(t.secret);
    }
    await db.destroy();
    ctx.log(`api: ${rebuilt.incidents.toLocaleString('en')} incidents projected; ${rate}/s for ${durationS} s`);
    const bot = await startBot({ slackApiUrl: slack.url, databaseUrl: bdb.url, signingSecret: SIGNING_SECRET });
    try {
      const path = `/api/v1/orgs/${ORG}/incidents?limit=50`;
      const botSpec: ApiGetSpec = { kind: 'api-get', url: `${bot.url}${path}`, tokens };
      const bareSpec: ApiGetSpec = { kind: 'api-get', url: `${ctx.baselineUrl}${path}`, tokens };
      const job = (spec: ApiGetSpec, seconds: number, offset: number): LoadJob => ({
        request: spec,
        plan: { mode: 'open', rate, durationS: seconds },
        offset,
        okBody: '"items":\\[\\{',
        timeoutS: 10,
      });
      if (warmupS > 0) {
        await ctx.load.run({ ...job(bareSpec, warmupS, 0), okBody: undefined });
        await ctx.load.run(job(botSpec, warmupS, 0));
      }
      const bare = await ctx.load.run({ ...job(bareSpec, durationS, 0), okBody: undefined });
      const got = await ctx.load.run(job(botSpec, durationS, Math.ceil(rate * warmupS)));
      return rows(rate, incidents, got, bare);
    } finally {
      await bot.stop();
    }
  } finally {
    await slack.close();
    await bdb.destroy();
  }
}

function rows(rate: number, incidents: number, bot: LoadResult, bare: LoadResult): BenchRow[] {
  const note = [failureNote('bot', bot), failureNote('bare Hono', bare)].filter(Boolean).join(' · ') || undefined;
  const healthy = bot.failed === 0 && bot.dropped === 0;
  const ratio = bare.latency.p99 > 0 ? bot.latency.p99 / bare.latency.p99 : Number.NaN;
  const what = `GET /incidents (50 per page, ${incidents.toLocaleString('en')} incidents, SQLite)`;
  return [
    row({
      section: 'api',
      name: `${what} p50 @ ${rate}/s`,
      value: bot.latency.p50,
      unit: 'ms',
      baseline: { name: 'bare Hono GET p50', value: bare.latency.p50, unit: 'ms' },
    }),
    row({
      section: 'api',
      name: `${what} p99 @ ${rate}/s`,
      value: bot.latency.p99,
      unit: 'ms',
      baseline: { name: 'bare Hono GET p99', value: bare.latency.p99, unit: 'ms' },
      target: `≤ ${RATIO_TARGET}× bare Hono p99`,
      pass: healthy && ratio <= RATIO_TARGET,
      note,
    }),
  ];
}
