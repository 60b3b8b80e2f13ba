import { type BenchContext, failureNote, row, TEAM } from '../bench.context';
import type { BenchRow, LoadResult } from '../bench.types';
import type { LoadJob } from '../load.generator';
import { type SlashSpec } from '../request.builders';
import { heapNote } from '../processes';
import { startBotFixture, waitUntil } from './bot-fixture';

/** Issue 13: the ack's p99 within 3× bare Hono's p99 at the same rate, measured side by side. */
const ACK_P99_RATIO = 3;

/**
 * Slash-command ack latency: signed `/incident note` at each rate, open loop, against the real bot
 * (write to the log, then ack) and against a bare Hono 200 on the same stack, alternating.
 */
export async function ackSection(ctx: BenchContext): Promise<BenchRow[]> {
  const { rates, durationS, warmupS } = ctx.scale.ack;
  const fx = await startBotFixture('sqlite');
  try {
    await new Promise((r) => setTimeout(r, 500));
    ctx.memory.idleMb = fx.bot.rssMb();
    ctx.memory.heap.idle = await heapNote(fx.bot.url);
    // Each rate gets its own incident, so one rate's outbox backlog is not the next rate's starting point.
    const incidentChannel = async (rate: number) => {
      const declared = await fx.command(`declare sev2 Bench ack latency at ${rate} per second`);
      if (declared.status !== 200 || !declared.body.includes('Declared')) throw new Error(`declare failed: ${declared.status} ${declared.body}`);
      const number = Number(/INC-(\d+)/.exec(declared.body)?.[1]);
      return waitUntil(
        async () => (await fx.bdb.db.selectFrom('incidents').select('channel_id').where('org_id', '=', TEAM).where('number', '=', number).executeTakeFirst())?.channel_id,
        15_000,
        'the incident channel',
      );
    };
    const job = (spec: SlashSpec, rate: number, seconds: number, offset: number, okBody?: string): LoadJob => ({
      request: spec,
      plan: { mode: 'open', rate, durationS: seconds },
      offset,
      okBody,
      // Slack gives up after 3 s; an ack still missing after 10 s is a failure, not a latency to wait for.
      timeoutS: 10,
    });

    const rows: BenchRow[] = [];
    let offset = 0;
    for (const rate of rates) {
      const botSpec = fx.slashSpec(await incidentChannel(rate), 'note bench note {i}');
      const bareSpec: SlashSpec = { ...botSpec, url: `${ctx.baselineUrl}/slack/events` };
      if (warmupS > 0) {
        await ctx.load.run(job(bareSpec, rate, warmupS, offset));
        await ctx.load.run(job(botSpec, rate, warmupS, offset, 'Added to the timeline'));
        offset += Math.ceil(rate * warmupS);
      }
      ctx.log(`ack: ${rate}/s for ${durationS} s (bare Hono, then the bot)`);
      const bare = await ctx.load.run(job(bareSpec, rate, durationS, offset));
      const bot = await ctx.load.run(job(botSpec, rate, durationS, offset, 'Added to the timeline'));
      offset += Math.ceil(rate * durationS);
      rows.push(...ackRows(rate, bot, bare, rate === Math.max(...rates)));
    }
    ctx.memory.afterAckMb = fx.bot.rssMb();
    ctx.memory.heap.afterAck = await heapNote(fx.bot.url);
    return rows;
  } finally {
    await fx.close();
  }
}

function ackRows(rate: number, bot: LoadResult, bare: LoadResult, targeted: boolean): BenchRow[] {
  const note = [failureNote('bot', bot), failureNote('bare Hono', bare)].filter(Boolean).join(' · ') || undefined;
  const base = (name: string, v: number) => ({ name: `bare Hono ${name}`, value: v, unit: 'ms' });
  const healthy = bot.failed === 0 && bot.dropped === 0;
  return [
    row({ section: 'ack', name: `/incident note ack p50 @ ${rate}/s`, value: bot.latency.p50, unit: 'ms', baseline: base('p50', bare.latency.p50) }),
    row({
      section: 'ack',
      name: `/incident note ack p99 @ ${rate}/s`,
      value: bot.latency.p99,
      unit: 'ms',
      baseline: base('p99', bare.latency.p99),
      ...(targeted ? { target: `≤ ${ACK_P99_RATIO}× bare Hono p99`, pass: healthy && bot.latency.p99 <= ACK_P99_RATIO * bare.latency.p99 } : {}),
      note,
    }),
    row({ section: 'ack', name: `/incident note ack max @ ${rate}/s`, value: bot.latency.max, unit: 'ms', baseline: base('max', bare.latency.max) }),
  ];
}
