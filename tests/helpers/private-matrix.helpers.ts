import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiToken } from '../../src/app/api-tokens.service';
import type { Role } from '../../src/shared/roles';
import { type Harness, TEAM } from './harness';

/** The people of the private-incident matrix (tests/integration/private-matrix.test.ts). */
export const PERSONAS = ['member', 'nonMember', 'viewer', 'admin', 'otherWorkspace'] as const;
export type Persona = (typeof PERSONAS)[number];
export const OTHER_TEAM = 'T0OTHER';

export interface PersonaInfo {
  /** Slack user and workspace. */
  user: string;
  team: string;
  /** The role of their API token (tokens are never members of an incident: they are not people). */
  tokenRole: Role;
}
export const WHO: Record<Persona, PersonaInfo> = {
  member: { user: 'U0002', team: TEAM, tokenRole: 'responder' },
  nonMember: { user: 'U0003', team: TEAM, tokenRole: 'responder' },
  viewer: { user: 'U0004', team: TEAM, tokenRole: 'viewer' },
  admin: { user: 'U0001', team: TEAM, tokenRole: 'admin' },
  otherWorkspace: { user: 'U0009', team: OTHER_TEAM, tokenRole: 'admin' },
};

export async function tokensFor(h: Harness): Promise<Record<Persona, string>> {
  const out = {} as Record<Persona, string>;
  for (const p of PERSONAS) {
    const w = WHO[p];
    const t = await createApiToken(h.tdb.db, { orgId: w.team, name: `matrix-${p.toLowerCase()}`, role: w.tokenRole, createdBy: 'test', now: new Date() });
    out[p] = t.secret;
  }
  return out;
}

/** Everything a person can read in Slack: names and messages of public channels, their private channels and DMs. */
export function slackVisibleTo(h: Harness, team: string, user: string): string {
  if (!h.slack.state.teams.has(team)) return '';
  return h.slack.state
    .readableBy(team, user)
    .map((c) => [c.id, c.name, ...c.messages.map((m) => `${m.text} ${JSON.stringify(m.blocks ?? [])}`)].join('\n'))
    .join('\n');
}

/** An HTTP receiver for outgoing webhooks: every body it got. */
export async function webhookReceiver(): Promise<{ url: string; bodies: string[]; close(): Promise<void> }> {
  const bodies: string[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      bodies.push(raw);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, bodies, close: () => new Promise((r) => server.close(() => r())) };
}

/** The reply to a slash command as one searchable string (text and blocks). */
export const replyText = (r: { raw: string }) => r.raw;
