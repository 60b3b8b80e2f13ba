import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { FakeChannel, FakeMessage, FakeUser, RecordedResponse, SlackFake, TeamState } from '../adapters/slack-fake/slack-fake.server';
import { type Actor, signedHeaders } from './slack-signing';

export interface PostResult {
  status: number;
  /** Parsed JSON when the bot answered with JSON, else the raw text ('' for an empty ack). */
  body: unknown;
}

/**
 * The sandbox's view of one fake Slack workspace: who is who, what changed (for live updates), which
 * modals are still open, and how to reach the bot's `/slack/events` with a correctly signed request.
 */
export class SandboxWorkspace extends EventEmitter<{ change: [number] }> {
  private version = 0;
  private pending?: NodeJS.Timeout;
  /** Modals the user submitted or closed; the fake keeps every view it ever opened. */
  readonly closedViews = new Set<string>();
  /** Per view: errors from `response_action: errors` (or the sandbox's own required-field check). */
  readonly viewErrors = new Map<string, Record<string, string>>();
  /** response_url id → ts of the ephemeral it may replace (the slash command's "working…", a clicked one). */
  private readonly ackEphemerals = new Map<string, string>();
  private readonly answered = new Set<string>();
  private triggerSeq = 0;

  constructor(
    readonly fake: SlackFake,
    readonly teamId: string,
    private readonly signingSecret: string,
    private readonly botUrl: () => string,
  ) {
    super();
    this.setMaxListeners(0);
    fake.on('call', () => this.changed());
    fake.on('response', (r) => this.onResponse(r));
  }

  get team(): TeamState {
    return this.fake.state.team(this.teamId);
  }

  get currentVersion(): number {
    return this.version;
  }

  /** Coalesces bursts (one declare makes a dozen API calls) into one live update. */
  changed(): void {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.emit('change', ++this.version);
    }, 30);
  }

  dispose(): void {
    if (this.pending) clearTimeout(this.pending);
    this.removeAllListeners();
  }

  humans(): FakeUser[] {
    return [...this.team.users.values()].filter((u) => !u.isBot && !u.deleted);
  }

  user(id: string): FakeUser | undefined {
    const u = this.team.users.get(id);
    return u && !u.isBot && !u.deleted ? u : undefined;
  }

  channel(id: string): FakeChannel | undefined {
    return this.team.channels.get(id);
  }

  message(channel: FakeChannel, ts: string): FakeMessage | undefined {
    return channel.messages.find((m) => m.ts === ts);
  }

  actor(userId: string): Actor {
    const u = this.user(userId);
    return { teamId: this.teamId, teamDomain: this.team.domain, appId: this.team.appId, userId, userName: u?.name ?? userId.toLowerCase(), triggerId: this.newTrigger(userId) };
  }

  /**
   * A trigger id bound to the user, so views.open behaves as after a real click. Unique across restarts
   * (the bot keys idempotency on it; the fake's own counter starts again at 1).
   */
  private newTrigger(userId: string): string {
    const id = `${Math.floor(Date.now() / 1000)}.${++this.triggerSeq}.${randomBytes(8).toString('hex')}`;
    this.fake.state.triggers.set(id, { teamId: this.teamId, userId, status: 'fresh' });
    return id;
  }

  /** A real response_url on the fake; posts to it land in the channel (or as the user's ephemeral). */
  responseUrl(ctx: { channelId?: string; userId: string; messageTs?: string }): { url: string; id: string } {
    const url = this.fake.responseUrl(undefined, { teamId: this.teamId, ...ctx });
    return { url, id: url.slice(url.lastIndexOf('/') + 1) };
  }

  /** POSTs to the bot's own Bolt receiver, signed with the sandbox's signing secret. */
  async post(body: string, contentType: 'application/x-www-form-urlencoded' | 'application/json'): Promise<PostResult> {
    const res = await fetch(`${this.botUrl()}/slack/events`, { method: 'POST', headers: signedHeaders(this.signingSecret, body, contentType), body });
    const text = await res.text();
    let parsed: unknown = text;
    if (text && (res.headers.get('content-type') ?? '').includes('json')) {
      try {
        parsed = JSON.parse(text) as unknown;
      } catch {
        /* keep the text */
      }
    }
    return { status: res.status, body: parsed };
  }

  /** The slash command's ack shown as an ephemeral; a later `replace_original` on its response_url replaces it. */
  addAckEphemeral(responseId: string, e: { channel: string; user: string; text: string; blocks?: unknown[] }): void {
    if (this.answered.has(responseId)) return; // the real answer already arrived: "working…" is stale
    const ts = this.fake.state.nextTs();
    this.team.ephemerals.push({ ...e, ts });
    this.replaceableBy(responseId, ts);
    this.changed();
  }

  /**
   * Slack lets an app replace or delete the ephemeral message a click came from through the click's
   * response_url; the fake only knows real messages, so the sandbox does it for ephemerals.
   */
  replaceableBy(responseId: string, ephemeralTs: string): void {
    this.ackEphemerals.set(responseId, ephemeralTs);
  }

  private onResponse(r: RecordedResponse): void {
    this.answered.add(r.id);
    // Only a race within one request needs this; keep the set small.
    if (this.answered.size > 1000) this.answered.delete(this.answered.values().next().value as string);
    const body = r.body as { replace_original?: boolean; delete_original?: boolean } | undefined;
    const ackTs = this.ackEphemerals.get(r.id);
    if (ackTs && (body?.replace_original === true || body?.delete_original === true)) {
      const list = this.team.ephemerals;
      const i = list.findIndex((e) => e.ts === ackTs);
      if (i >= 0) list.splice(i, 1);
      this.ackEphemerals.delete(r.id);
    }
    this.changed();
  }
}
