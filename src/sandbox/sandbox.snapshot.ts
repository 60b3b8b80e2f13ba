import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DbTarget } from '../adapters/db/create-db';
import type { FakeChannel, FakeEphemeral, FakeViewRecord, SlackFake } from '../adapters/slack-fake/slack-fake.server';
import type { SandboxConnectors } from './sandbox.alerts';

/**
 * The fake Slack workspace lives in memory, but the bot's database survives a restart; without the
 * channels and messages the database points at, a restarted sandbox would show incidents whose channels
 * are gone. So the workspace is saved next to the database and loaded with it.
 */

export interface Snapshot {
  version: 1;
  teamId: string;
  channels: FakeChannel[];
  ephemerals: FakeEphemeral[];
  homeTabs: Array<[string, FakeViewRecord]>;
  /** The highest view id handed out: the bot keys modal submissions on it, so none may be handed out twice. */
  lastViewId?: string;
  connectors: SandboxConnectors;
}

/** `./data/sandbox.db` → `./data/sandbox.slack.json`; Postgres keeps it in ./data; in-memory SQLite keeps none. */
export function snapshotPath(db: DbTarget): string | undefined {
  if (db.dialect === 'postgres') return './data/sandbox.slack.json';
  if (db.location === ':memory:' || db.location.startsWith('file::memory:')) return undefined;
  return `${db.location.replace(/\.(db|sqlite3?)$/i, '')}.slack.json`;
}

/** Loaded only when the database it belongs to is still there (a deleted database means "start over"). */
export function readSnapshot(path: string | undefined, db: DbTarget, teamId: string): Snapshot | undefined {
  if (!path || !existsSync(path)) return undefined;
  if (db.dialect === 'sqlite' && !existsSync(db.location)) return undefined;
  try {
    const s = JSON.parse(readFileSync(path, 'utf8')) as Snapshot;
    return s.version === 1 && s.teamId === teamId && Array.isArray(s.channels) ? s : undefined;
  } catch {
    return undefined;
  }
}

/** Id counters live inside the fake: advance them past every restored id so new ids never collide. */
function advancePast(ids: string[], prefix: string, next: () => string): void {
  const generated = new RegExp(`^${prefix}0[0-9A-Z]{8}$`);
  const numeric = ids.filter((id) => generated.test(id)).map((id) => parseInt(id.slice(2), 36));
  const max = Math.max(0, ...numeric);
  if (max === 0) return;
  for (let guard = 0; guard < max + 1; guard++) {
    if (parseInt(next().slice(2), 36) >= max) return;
  }
}

export function restoreSnapshot(fake: SlackFake, s: Snapshot): void {
  const team = fake.state.team(s.teamId);
  team.channels.clear();
  for (const c of s.channels) team.channels.set(c.id, c);
  team.ephemerals.push(...s.ephemerals);
  for (const [user, rec] of s.homeTabs) team.homeTabs.set(user, rec);
  advancePast(s.channels.map((c) => c.id), 'C', () => fake.state.nextChannelId('C'));
  advancePast(s.channels.map((c) => c.id), 'D', () => fake.state.nextChannelId('D'));
  advancePast([...s.homeTabs.map(([, r]) => String(r.view.id)), ...(s.lastViewId ? [s.lastViewId] : [])], 'V', () => fake.state.nextViewId());
}

/** Write to a temp file and rename, so a crash mid-write never leaves half a snapshot. */
export function writeSnapshot(path: string, fake: SlackFake, teamId: string, connectors: SandboxConnectors, restored?: Snapshot): void {
  const team = fake.state.team(teamId);
  // Generated ids have one length, so the string order is the numeric order.
  const viewIds = [...team.views.keys(), ...(restored?.lastViewId ? [restored.lastViewId] : [])].filter((id) => /^V0[0-9A-Z]{8}$/.test(id)).sort();
  const s: Snapshot = {
    version: 1,
    teamId,
    channels: [...team.channels.values()],
    // Ephemerals vanish on reload in Slack; keep only the recent ones.
    ephemerals: team.ephemerals.slice(-200),
    homeTabs: [...team.homeTabs.entries()],
    lastViewId: viewIds.at(-1),
    connectors,
  };
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(s));
  renameSync(tmp, path);
}
