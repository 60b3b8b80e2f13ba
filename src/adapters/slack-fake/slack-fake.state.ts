import { fail } from './slack-fake.errors';
import { FakeOAuthRegistry, type FakeOAuthGrant } from './slack-fake.oauth';
import { SocketModeRegistry } from './slack-fake-socket.methods';
import type {
  FakeChannel,
  FakeMessage,
  FakeTeamInput,
  FakeUser,
  FakeUserInput,
  FakeUsergroup,
  TeamState,
  TriggerRecord,
} from './slack-fake.types';

export const DEFAULT_TEAM: FakeTeamInput = {
  id: 'T0001',
  name: 'Acme',
  botToken: 'xoxb-test',
  botUserId: 'UBOT',
  users: [
    { id: 'U0001', name: 'alice', realName: 'Alice Adams', tz: 'Europe/London', email: 'alice@acme.test' },
    { id: 'U0002', name: 'bob', realName: 'Bob Brown', tz: 'America/New_York', email: 'bob@acme.test' },
    { id: 'U0003', name: 'carol', realName: 'Carol Chen', tz: 'Asia/Singapore', email: 'carol@acme.test' },
    { id: 'U0004', name: 'dave', realName: 'Dave Diaz', tz: 'America/Los_Angeles', email: 'dave@acme.test' },
    { id: 'U0005', name: 'erin', realName: 'Erin Evans', tz: 'UTC', email: 'erin@acme.test' },
  ],
};

export interface AddChannelInput {
  name: string;
  id?: string;
  isPrivate?: boolean;
  isArchived?: boolean;
  creator?: string;
  /** Bot is a member unless this list is given without it. */
  members?: string[];
  topic?: string;
  purpose?: string;
}

const MESSAGE_ID = /^\d+\.\d+$/;

/** All fake Slack data, team-scoped like the real thing. Ids come from counters, so runs are reproducible. */
export class FakeSlackState {
  readonly teams = new Map<string, TeamState>();
  readonly triggers = new Map<string, TriggerRecord>();
  readonly oauth = new FakeOAuthRegistry();
  readonly socketMode = new SocketModeRegistry();
  private readonly tokens = new Map<string, string>();
  private readonly revokedTokens = new Set<string>();
  private counters = { channel: 0, im: 0, view: 0, hash: 0, file: 0, trigger: 0, token: 0 };
  private lastTsMicros = 0;

  constructor(private readonly now: () => number = Date.now) {}

  addTeam(input: FakeTeamInput): TeamState {
    if (this.teams.has(input.id)) fail('team_exists', [`[ERROR] team ${input.id} already registered`]);
    const botId = input.botId ?? `B${input.botUserId.replace(/^U/, '')}`;
    const team: TeamState = {
      id: input.id,
      name: input.name,
      domain: input.domain ?? input.name.toLowerCase().replace(/[^a-z0-9-]/g, '-'),
      botToken: input.botToken,
      botUserId: input.botUserId,
      botId,
      appId: input.appId ?? `A${input.id.replace(/^T/, '')}`,
      users: new Map(),
      channels: new Map(),
      views: new Map(),
      homeTabs: new Map(),
      files: new Map(),
      ephemerals: [],
    };
    this.teams.set(team.id, team);
    this.tokens.set(input.botToken, team.id);
    this.addUser(team.id, { id: input.botUserId, name: input.botName ?? 'revenant', realName: 'Runbook Revenant', isBot: true });
    for (const u of input.users) this.addUser(team.id, u);
    return team;
  }

  teamForToken(token: string): TeamState | undefined {
    const id = this.tokens.get(token);
    return id === undefined ? undefined : this.teams.get(id);
  }

  isRevoked(token: string): boolean {
    return this.revokedTokens.has(token);
  }

  /** Uninstall as Slack does it: the team's bot token stops working (`token_revoked`); its data stays. */
  revokeTeamTokens(teamId: string): void {
    const team = this.team(teamId);
    this.tokens.delete(team.botToken);
    this.revokedTokens.add(team.botToken);
  }

  /** An OAuth install: a new team gets a fresh bot token; a reinstall after revocation gets a new one; otherwise the current one. */
  installTeam(grant: FakeOAuthGrant): TeamState {
    const mint = () => `xoxb-${++this.counters.token}-${grant.team.id.toLowerCase()}-fake`;
    const existing = this.teams.get(grant.team.id);
    if (!existing) return this.addTeam({ ...grant.team, botToken: mint() });
    if (!this.tokens.has(existing.botToken)) {
      existing.botToken = mint();
      this.tokens.set(existing.botToken, existing.id);
    }
    return existing;
  }

  team(teamId: string): TeamState {
    const team = this.teams.get(teamId);
    if (!team) throw new Error(`slack fake: unknown team ${teamId}`);
    return team;
  }

  addUser(teamId: string, input: FakeUserInput): FakeUser {
    const user: FakeUser = {
      id: input.id,
      teamId,
      name: input.name,
      realName: input.realName ?? input.name,
      tz: input.tz ?? 'UTC',
      isBot: input.isBot ?? false,
      isAdmin: input.isAdmin ?? false,
      email: input.email,
      deleted: false,
    };
    this.team(teamId).users.set(user.id, user);
    return user;
  }

  addUsergroup(teamId: string, input: FakeUsergroup): FakeUsergroup {
    const team = this.team(teamId);
    team.usergroups ??= new Map();
    const group = { ...input, users: [...input.users] };
    team.usergroups.set(group.id, group);
    return group;
  }

  /**
   * What a person (not the bot) can read, as Slack shows it: public channels (archived ones too: their history
   * stays readable), and private channels and DMs only while they are a member. Tests assert leaks with it.
   */
  readableBy(teamId: string, userId: string): FakeChannel[] {
    return [...this.team(teamId).channels.values()].filter((c) =>
      c.is_im ? c.imUser === userId : !c.is_private || c.members.includes(userId),
    );
  }

  addChannel(teamId: string, input: AddChannelInput): FakeChannel {
    const team = this.team(teamId);
    const creator = input.creator ?? team.botUserId;
    const created = this.nowSec();
    const channel: FakeChannel = {
      id: input.id ?? this.nextChannelId('C'),
      teamId,
      name: input.name,
      is_private: input.isPrivate ?? false,
      is_archived: input.isArchived ?? false,
      is_im: false,
      created,
      creator,
      members: [...new Set(input.members ?? [team.botUserId])],
      topic: { value: input.topic ?? '', creator: input.topic ? creator : '', last_set: input.topic ? created : 0 },
      purpose: { value: input.purpose ?? '', creator: input.purpose ? creator : '', last_set: input.purpose ? created : 0 },
      messages: [],
      pins: [],
    };
    team.channels.set(channel.id, channel);
    return channel;
  }

  /** The bot's direct-message channel with a user, created on first use like conversations.open. */
  imWith(team: TeamState, userId: string): FakeChannel {
    for (const c of team.channels.values()) if (c.is_im && c.imUser === userId) return c;
    const channel = this.addChannel(team.id, { id: this.nextChannelId('D'), name: userId, isPrivate: true, members: [team.botUserId, userId] });
    channel.is_im = true;
    channel.imUser = userId;
    return channel;
  }

  findChannelByName(name: string, teamId?: string): FakeChannel | undefined {
    const bare = name.replace(/^#/, '');
    for (const team of this.teams.values()) {
      if (teamId !== undefined && team.id !== teamId) continue;
      for (const c of team.channels.values()) if (!c.is_im && c.name === bare) return c;
    }
    return undefined;
  }

  /** Resolves an id, `#name` or bare name within a team; unknown → channel_not_found. */
  resolveChannel(team: TeamState, ref: string | undefined): FakeChannel {
    if (ref === undefined || ref.trim() === '') return fail('channel_not_found');
    const byId = team.channels.get(ref);
    if (byId) return byId;
    const byName = this.findChannelByName(ref, team.id);
    if (byName) return byName;
    return fail('channel_not_found');
  }

  user(team: TeamState, id: string): FakeUser | undefined {
    const u = team.users.get(id);
    return u && !u.deleted ? u : undefined;
  }

  findMessage(channel: FakeChannel, ts: string | undefined): FakeMessage | undefined {
    if (ts === undefined) return undefined;
    return channel.messages.find((m) => m.ts === ts);
  }

  /** Appends a message and keeps the parent's reply bookkeeping the way Slack reports it. */
  appendMessage(channel: FakeChannel, message: FakeMessage): FakeMessage {
    channel.messages.push(message);
    if (message.thread_ts !== undefined && message.thread_ts !== message.ts) {
      const parent = this.findMessage(channel, message.thread_ts);
      if (parent) {
        parent.thread_ts = parent.ts;
        parent.reply_count = (parent.reply_count ?? 0) + 1;
        parent.reply_users = [...new Set([...(parent.reply_users ?? []), message.user])];
        parent.latest_reply = message.ts;
      }
    }
    return message;
  }

  /** System messages Slack posts itself (joins, topic changes). */
  systemMessage(channel: FakeChannel, subtype: string, user: string, text: string): FakeMessage {
    return this.appendMessage(channel, { type: 'message', subtype, ts: this.nextTs(), user, team: channel.teamId, text });
  }

  /** Strictly increasing `seconds.micros` strings, even within one millisecond. */
  nextTs(): string {
    const micros = Math.max(Math.floor(this.now() * 1000), this.lastTsMicros + 100);
    this.lastTsMicros = micros;
    return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
  }

  isMessageTs(ts: string): boolean {
    return MESSAGE_ID.test(ts);
  }

  nowSec(): number {
    return Math.floor(this.now() / 1000);
  }

  nowMs(): number {
    return this.now();
  }

  nextChannelId(prefix: 'C' | 'D'): string {
    const n = prefix === 'C' ? ++this.counters.channel : ++this.counters.im;
    return `${prefix}0${n.toString(36).toUpperCase().padStart(8, '0')}`;
  }

  nextViewId(): string {
    return `V0${(++this.counters.view).toString(36).toUpperCase().padStart(8, '0')}`;
  }

  nextViewHash(): string {
    return `${this.nowSec()}.${String(++this.counters.hash).padStart(8, '0')}`;
  }

  nextFileId(): string {
    return `F0${(++this.counters.file).toString(36).toUpperCase().padStart(8, '0')}`;
  }

  /** A fresh trigger id in Slack's `n.n.hex` shape, optionally bound to the user who "clicked". */
  issueTrigger(teamId?: string, userId?: string): string {
    const n = ++this.counters.trigger;
    const id = `${1_000_000_000 + n}.${1000 + n}.${(n * 2654435761 >>> 0).toString(16).padStart(8, '0')}`;
    this.triggers.set(id, { teamId, userId, status: 'fresh' });
    return id;
  }

  expireTrigger(id: string): void {
    const t = this.triggers.get(id);
    this.triggers.set(id, { ...(t ?? {}), status: 'expired' });
  }

  /** Slack lets a trigger be exchanged once; unknown but non-blank ids are accepted (tests mint their own). */
  exchangeTrigger(id: string | undefined): TriggerRecord {
    if (id === undefined || id.trim() === '') return fail('invalid_trigger_id', ['[ERROR] invalid `trigger_id`']);
    const t = this.triggers.get(id) ?? { status: 'fresh' as const };
    if (t.status === 'expired') fail('expired_trigger_id');
    if (t.status === 'exchanged') fail('exchanged_trigger_id');
    const exchanged: TriggerRecord = { ...t, status: 'exchanged' };
    this.triggers.set(id, exchanged);
    return exchanged;
  }
}
