import { rebuildProjections } from '../../src/adapters/db/rebuild';
import type { DB } from '../../src/adapters/db/schema';
import type { SlackFake } from '../../src/adapters/slack-fake/slack-fake.server';
import type { FakeMessage } from '../../src/adapters/slack-fake/slack-fake.types';
import { EFFECT_METADATA_TYPE } from '../../src/adapters/slack/ids';

/**
 * Shared proofs for the reliability suites: every effect delivered exactly once, the read models
 * equal a rebuild from the log, and a Slack workspace snapshot that two runs can be compared on.
 */

const effectIdOf = (m: FakeMessage) => (m.metadata?.event_type === EFFECT_METADATA_TYPE ? String(m.metadata.event_payload.effect_id ?? '') : undefined);

export interface EffectAudit {
  incidents: number;
  channels: number;
  messagesWithEffect: number;
  outboxDone: number;
  /** Human-readable problems; empty when every effect landed exactly once. */
  problems: string[];
}

/** Compare the outbox (what we meant to do) with the fake's state (what Slack saw). */
export async function auditEffects(db: DB, fake: SlackFake, teamId: string): Promise<EffectAudit> {
  const problems: string[] = [];
  const team = fake.state.teams.get(teamId)!;
  const incidents = await db.selectFrom('incidents').selectAll().where('org_id', '=', teamId).execute();
  const rows = await db.selectFrom('outbox').selectAll().where('org_id', '=', teamId).execute();
  for (const r of rows) if (r.status !== 'done') problems.push(`outbox row ${r.id} (${r.kind}) is ${r.status}: ${r.last_error ?? ''}`);

  // Every message we posted carries its effect id: count them per channel.
  const seen = new Map<string, { channel: string; count: number }>();
  let messagesWithEffect = 0;
  for (const ch of team.channels.values()) {
    for (const m of ch.messages) {
      const id = effectIdOf(m);
      if (id === undefined) continue;
      messagesWithEffect++;
      const key = `${ch.id}/${id}`;
      const prev = seen.get(key);
      seen.set(key, { channel: ch.name, count: (prev?.count ?? 0) + 1 });
    }
  }
  for (const [key, v] of seen) if (v.count > 1) problems.push(`effect ${key} posted ${v.count} times in #${v.channel}`);

  const incidentChannels = [...team.channels.values()].filter((c) => /^inc-\d+-/.test(c.name));
  for (const inc of incidents) {
    const named = incidentChannels.filter((c) => c.name.startsWith(`inc-${inc.number}-`));
    if (named.length !== 1) problems.push(`INC-${inc.number} has ${named.length} channels: ${named.map((c) => c.name).join(', ')}`);
    if (!inc.channel_id || named[0]?.id !== inc.channel_id) problems.push(`INC-${inc.number} is linked to ${inc.channel_id}, Slack has ${named[0]?.id}`);
    const ch = inc.channel_id ? team.channels.get(inc.channel_id) : undefined;
    if (!ch) continue;
    const summaries = ch.messages.filter((m) => effectIdOf(m) === `summary:${inc.id}`);
    if (summaries.length !== 1) problems.push(`INC-${inc.number} has ${summaries.length} summary messages`);
    if (summaries[0] && summaries[0].ts !== inc.summary_ts) problems.push(`INC-${inc.number} summary_ts ${inc.summary_ts} is not the posted ${summaries[0].ts}`);
    if (summaries[0] && !summaries[0].pinned_to?.includes(ch.id)) problems.push(`INC-${inc.number} summary is not pinned`);
    if (!ch.members.includes(inc.created_by) && /^[UW]/.test(inc.created_by)) problems.push(`INC-${inc.number} declarer ${inc.created_by} was not invited`);
  }
  // Each delivered post/announce is in Slack exactly once, where it was meant to go.
  for (const r of rows.filter((x) => x.kind === 'slack.post' || x.kind === 'slack.announce')) {
    const hits = [...seen.entries()].filter(([k]) => k.endsWith(`/${r.id}`));
    const total = hits.reduce((n, [, v]) => n + v.count, 0);
    if (r.status === 'done' && total !== 1) problems.push(`outbox row ${r.id} (${r.kind}) appears ${total} times in Slack`);
  }
  // Nothing in Slack that no effect asked for.
  const known = new Set([...rows.map((r) => String(r.id)), ...incidents.map((i) => `summary:${i.id}`), ...incidents.map((i) => `rollup:${i.id}`)]);
  for (const [key] of seen) if (!known.has(key.split('/').slice(1).join('/'))) problems.push(`message ${key} matches no effect`);
  return { incidents: incidents.length, channels: incidentChannels.length, messagesWithEffect, outboxDone: rows.filter((r) => r.status === 'done').length, problems };
}

async function snapshotReadModels(db: DB) {
  return {
    incidents: await db.selectFrom('incidents').selectAll().orderBy('id').execute(),
    timeline: await db.selectFrom('incident_timeline').selectAll().orderBy('incident_id').orderBy('seq').execute(),
    actions: await db.selectFrom('incident_actions').selectAll().orderBy('action_id').execute(),
    signals: await db.selectFrom('incident_signals').selectAll().orderBy('incident_id').orderBy('fingerprint').execute(),
  };
}

/** The read models as they are, and as a rebuild from the log makes them (the rebuild replaces them). */
export async function projectionsVersusRebuild(db: DB) {
  const live = await snapshotReadModels(db);
  const rebuilt = await rebuildProjections(db);
  return { live, rebuilt: await snapshotReadModels(db), events: rebuilt.events };
}

/** Events whose idempotency key matches one of these slash-command trigger ids. */
export async function loggedTriggers(db: DB, teamId: string, triggerIds: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < triggerIds.length; i += 500) {
    const keys = triggerIds.slice(i, i + 500).map((t) => `slash:${t}`);
    const rows = await db.selectFrom('incident_events').select('idempotency_key').where('org_id', '=', teamId).where('idempotency_key', 'in', keys).execute();
    for (const r of rows) found.add(String(r.idempotency_key).slice('slash:'.length));
  }
  return found;
}

/** Wait until no outbox row is pending or in flight (due within the horizon), polling the database. */
export async function outboxSettled(db: DB, timeoutMs: number, horizonMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const horizon = new Date(Date.now() + horizonMs).toISOString();
    const left = await db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', 'in', ['pending', 'in_flight'])
      .where('next_attempt_at', '<=', horizon)
      .executeTakeFirstOrThrow();
    if (Number(left.n) === 0) return;
    if (Date.now() > end) throw new Error(`outbox not settled after ${timeoutMs} ms: ${left.n} rows left`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const DATE = /<!date\^\d+\^[^|>]*\|[^>]*>/g;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/**
 * What a person would see in the workspace, independent of timing: channels by name with members,
 * topic and messages in order (text, blocks, pins, edits folded in), dates and random ids masked.
 */
export function slackSnapshot(fake: SlackFake, teamId: string) {
  const team = fake.state.teams.get(teamId)!;
  const names = new Map([...team.channels.values()].map((c) => [c.id, c.name]));
  const mask = (s: string) => s.replace(DATE, '<date>').replace(UUID, '<uuid>').replace(/<#(C[A-Z0-9]+)(\|[^>]*)?>/g, (_, id: string) => `<#${names.get(id) ?? '?'}>`);
  return [...team.channels.values()]
    .filter((c) => !c.is_im)
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((c) => {
      const messages = c.messages
        .filter((m) => m.subtype === undefined)
        .map((m) => ({
          text: mask(m.text),
          // Slack fills in random block ids when the sender gave none.
          blocks: m.blocks ? mask(JSON.stringify(m.blocks, (k, v: unknown) => (k === 'block_id' ? undefined : v))) : undefined,
          pinned: !!m.pinned_to?.includes(c.id),
          inThread: !!m.thread_ts && m.thread_ts !== m.ts,
        }));
      // An incident's messages keep their order; a shared channel interleaves incidents by timing.
      if (!/^inc-\d+-/.test(c.name)) messages.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
      return { name: c.name, members: [...c.members].sort(), messages };
    });
}
