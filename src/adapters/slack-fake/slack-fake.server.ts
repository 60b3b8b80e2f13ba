import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleApiCall } from './slack-fake.api';
import { FaultInjector, type FaultRateOptions } from './slack-fake.faults';
import { handleOidcPath } from './slack-fake-oidc.methods';
import { bearerToken, parseBody, readBody, sendJson } from './slack-fake.http';
import { WRITE_METHODS } from './slack-fake.methods';
import { applyResponse } from './slack-fake.responses';
import { DEFAULT_TEAM, FakeSlackState, type AddChannelInput } from './slack-fake.state';
import type {
  FakeChannel,
  FakeEphemeral,
  FakeMessage,
  FakeSlackOptions,
  FakeTeamInput,
  FakeUser,
  FakeUserInput,
  FakeUsergroup,
  FakeViewRecord,
  FaultKind,
  FaultSpec,
  RecordedCall,
  RecordedResponse,
  ResponseUrlContext,
  TeamState,
} from './slack-fake.types';

export type * from './slack-fake.types';
export type { AddChannelInput } from './slack-fake.state';
export type { FaultRateOptions } from './slack-fake.faults';

/** Live updates for the sandbox UI and for tests that await a call. */
export type SlackFakeEvents = {
  call: [RecordedCall];
  response: [RecordedResponse];
  upload: [{ teamId: string; fileId: string; size: number }];
  reset: [];
};

export interface MessageFilter {
  /** Include Slack's own join/topic/archive messages. Default false. */
  includeSystem?: boolean;
  /** Include thread replies. Default true. */
  includeReplies?: boolean;
}

/** A running fake. Point `new WebClient(token, { slackApiUrl: fake.url })` at it. */
export class SlackFake extends EventEmitter<SlackFakeEvents> {
  readonly calls: RecordedCall[] = [];
  readonly responses: RecordedResponse[] = [];
  private currentState: FakeSlackState;
  private readonly faults = new FaultInjector();
  private readonly responseContexts = new Map<string, ResponseUrlContext | undefined>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private responseCounter = 0;
  private seq = 0;
  private baseUrlValue = '';

  constructor(
    private readonly server: Server,
    private readonly opts: FakeSlackOptions,
  ) {
    super();
    this.currentState = this.freshState();
  }

  get baseUrl(): string {
    return this.baseUrlValue;
  }

  get url(): string {
    return `${this.baseUrlValue}/api/`;
  }

  get state(): FakeSlackState {
    return this.currentState;
  }

  /** The first configured team (the default Acme team unless `teams` was given). */
  get defaultTeam(): TeamState {
    return this.currentState.teams.values().next().value as TeamState;
  }

  /** @internal called once the server is listening. */
  attach(baseUrl: string): void {
    this.baseUrlValue = baseUrl;
  }

  responseUrl(id?: string, context?: ResponseUrlContext): string {
    const key = id ?? `R${String(++this.responseCounter).padStart(6, '0')}`;
    this.responseContexts.set(key, context);
    return `${this.baseUrlValue}/responses/${key}`;
  }

  failNext(method: string, error: FaultSpec, times = 1): void {
    this.faults.failNext(method, error, times);
  }

  setFaultRate(rate: number, kinds?: FaultKind[], seed?: number, opts?: FaultRateOptions): void {
    this.faults.setFaultRate(rate, kinds, seed, opts);
  }

  /** Successful calls that changed state, in order. */
  writeCalls(): RecordedCall[] {
    return this.calls.filter((c) => WRITE_METHODS.has(c.method) && c.response.ok === true);
  }

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Back to the configured teams, no channels, no calls, no faults. */
  reset(): void {
    this.calls.length = 0;
    this.responses.length = 0;
    this.responseContexts.clear();
    this.faults.reset();
    this.seq = 0;
    this.currentState = this.freshState();
    this.emit('reset');
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((e) => (e ? reject(e) : resolve())));
  }

  addTeam(team: FakeTeamInput): TeamState {
    return this.currentState.addTeam(team);
  }

  addUser(teamId: string, user: FakeUserInput): FakeUser {
    return this.currentState.addUser(teamId, user);
  }

  /** A user group (`usergroups.users.list`), e.g. `{ id: 'S0PAY', handle: 'payments-oncall', name, users }`. */
  addUsergroup(input: FakeUsergroup, teamId: string = this.defaultTeam.id): FakeUsergroup {
    return this.currentState.addUsergroup(teamId, input);
  }

  addChannel(input: AddChannelInput, teamId: string = this.defaultTeam.id): FakeChannel {
    return this.currentState.addChannel(teamId, input);
  }

  findChannelByName(name: string, teamId?: string): FakeChannel | undefined {
    return this.currentState.findChannelByName(name, teamId);
  }

  channel(id: string): FakeChannel | undefined {
    for (const team of this.currentState.teams.values()) {
      const c = team.channels.get(id);
      if (c) return c;
    }
    return undefined;
  }

  /** Messages oldest first. Without options: human-visible posts including thread replies. */
  messages(channelId: string, filter: MessageFilter = {}): FakeMessage[] {
    const c = this.channel(channelId);
    if (!c) return [];
    const system = /^channel_/;
    return c.messages.filter(
      (m) =>
        (filter.includeSystem === true || m.subtype === undefined || !system.test(m.subtype)) &&
        (filter.includeReplies !== false || m.thread_ts === undefined || m.thread_ts === m.ts),
    );
  }

  ephemerals(teamId: string = this.defaultTeam.id): FakeEphemeral[] {
    return this.currentState.team(teamId).ephemerals;
  }

  views(teamId: string = this.defaultTeam.id): FakeViewRecord[] {
    return [...this.currentState.team(teamId).views.values()];
  }

  homeTab(userId: string, teamId: string = this.defaultTeam.id): FakeViewRecord | undefined {
    return this.currentState.team(teamId).homeTabs.get(userId);
  }

  /** Mints a trigger id bound to a user, as Slack does for each click/command. */
  issueTrigger(userId?: string, teamId: string = this.defaultTeam.id): string {
    return this.currentState.issueTrigger(teamId, userId);
  }

  expireTrigger(triggerId: string): void {
    this.currentState.expireTrigger(triggerId);
  }

  /** @internal request entry point. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrlValue || 'http://127.0.0.1');
    const path = url.pathname;
    if (path.startsWith('/api/')) {
      return handleApiCall(
        {
          state: () => this.currentState,
          faults: this.faults,
          baseUrl: this.baseUrlValue,
          record: (call) => this.recordCall(call),
          delay: (ms) => this.delay(ms),
        },
        req,
        res,
        decodeURIComponent(path.slice('/api/'.length)),
        url.searchParams,
      );
    }
    if (req.method === 'POST' && path.startsWith('/responses/')) return this.handleResponse(req, res, path.slice('/responses/'.length));
    if (req.method === 'POST' && path.startsWith('/upload/')) return this.handleUpload(req, res, path.slice('/upload/'.length));
    if (req.method === 'GET' && path.startsWith('/files/')) return this.handleDownload(req, res, path.split('/')[2] ?? '');
    if (await handleOidcPath(this.currentState, this.baseUrlValue, req, res, url)) return;
    sendJson(res, 404, { ok: false, error: 'not_found' });
  }

  private freshState(): FakeSlackState {
    const state = new FakeSlackState(this.opts.now);
    for (const team of this.opts.teams ?? [DEFAULT_TEAM]) state.addTeam(team);
    return state;
  }

  private recordCall(call: Omit<RecordedCall, 'seq'>): void {
    const full: RecordedCall = { seq: ++this.seq, ...call };
    this.calls.push(full);
    this.emit('call', full);
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  private async handleResponse(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const raw = await readBody(req);
    const contentType = req.headers['content-type'] ?? '';
    let body: unknown;
    try {
      body = contentType.includes('json') ? (JSON.parse(raw.toString('utf8')) as unknown) : (await parseBody(contentType, raw)).params;
    } catch {
      body = raw.toString('utf8');
    }
    const rec: RecordedResponse = { id, at: Date.now(), contentType, body, context: this.responseContexts.get(id) };
    this.responses.push(rec);
    this.emit('response', rec);
    sendJson(res, 200, applyResponse(this.currentState, rec));
  }

  /** The upload_url from files.getUploadURLExternal; WebClient posts multipart with a `body` part. */
  private async handleUpload(req: IncomingMessage, res: ServerResponse, fileId: string): Promise<void> {
    const raw = await readBody(req);
    const file = [...this.currentState.teams.values()].map((t) => t.files.get(fileId)).find((f) => f !== undefined);
    if (!file) return sendJson(res, 404, { ok: false, error: 'file_not_found' });
    const parsed = await parseBody(req.headers['content-type'], raw).catch(() => undefined);
    const part = parsed ? (parsed.files.body ?? Object.values(parsed.files)[0]) : undefined;
    file.content = part ?? raw;
    this.emit('upload', { teamId: file.teamId, fileId, size: file.content.length });
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`OK - ${file.content.length}`);
  }

  private handleDownload(req: IncomingMessage, res: ServerResponse, fileId: string): void {
    const token = bearerToken(req, {});
    const team = token === undefined ? undefined : this.currentState.teamForToken(token);
    const file = team?.files.get(fileId);
    if (!file?.content) return sendJson(res, 404, { ok: false, error: 'file_not_found' });
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(file.content.length) });
    res.end(file.content);
  }
}

/** Starts the fake on 127.0.0.1 and an ephemeral port unless told otherwise. */
export async function startSlackFake(opts: FakeSlackOptions = {}): Promise<SlackFake> {
  let fake: SlackFake | undefined;
  const server = createServer((req, res) => {
    fake?.handle(req, res).catch((e: unknown) => {
      console.error('slack fake: request failed', e);
      sendJson(res, 500, { ok: false, error: 'fatal_error' });
    });
  });
  fake = new SlackFake(server, opts);
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  fake.attach(`http://${host.includes(':') ? `[${host}]` : host}:${port}`);
  return fake;
}
