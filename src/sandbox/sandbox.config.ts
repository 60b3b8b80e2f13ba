import { randomBytes } from 'node:crypto';
import type { FakeTeamInput } from '../adapters/slack-fake/slack-fake.server';
import { type Config, loadConfig } from '../config';
import type { Role } from '../shared/roles';

/** The sandbox workspace: a few people with different roles, so permissions can be tried by switching user. */
export const SANDBOX_TEAM_ID = 'T0SANDBOX';
export const SANDBOX_BOT_USER_ID = 'U0REVENANT';

export const SANDBOX_USERS: ReadonlyArray<{ id: string; name: string; realName: string; tz: string; role: Role }> = [
  { id: 'U0ALICE', name: 'alice', realName: 'Alice Adams', tz: 'Europe/London', role: 'admin' },
  { id: 'U0BOB', name: 'bob', realName: 'Bob Brown', tz: 'America/New_York', role: 'sre_lead' },
  { id: 'U0CAROL', name: 'carol', realName: 'Carol Chen', tz: 'Asia/Singapore', role: 'responder' },
  { id: 'U0DAVE', name: 'dave', realName: 'Dave Diaz', tz: 'America/Los_Angeles', role: 'viewer' },
];

/** Fixed ids, shaped unlike the fake's generated `C0xxxxxxxx` ones so they never collide. */
export const SANDBOX_CHANNELS = [
  { id: 'CSBXGENERAL', name: 'general', purpose: 'Try `/incident declare sev2 Checkout is slow` here.' },
  { id: 'CSBXINCIDENTS', name: 'incidents', purpose: 'Revenant announces new incidents, updates and resolutions here (ANNOUNCE_CHANNEL).' },
  { id: 'CSBXSRE', name: 'sre', purpose: 'The watchlist digest lands here (DIGEST_CHANNEL).' },
] as const;

export const ANNOUNCE_CHANNEL_ID = 'CSBXINCIDENTS';
export const DIGEST_CHANNEL_ID = 'CSBXSRE';

export function sandboxTeam(botToken: string): FakeTeamInput {
  return {
    id: SANDBOX_TEAM_ID,
    name: 'Revenant Sandbox',
    domain: 'revenant-sandbox',
    botToken,
    botUserId: SANDBOX_BOT_USER_ID,
    botName: 'revenant',
    users: SANDBOX_USERS.map(({ id, name, realName, tz }) => ({ id, name, realName, tz, email: `${name}@sandbox.test` })),
  };
}

export interface SandboxSecrets {
  botToken: string;
  signingSecret: string;
  /** The console's Sign in with Slack app (registered with the fake) and session key. */
  consoleClientSecret: string;
  consoleSessionSecret: string;
}

export const SANDBOX_CONSOLE_CLIENT_ID = 'sandbox-console';

/** Fresh per start: nothing outside this process ever needs them. */
export function newSandboxSecrets(): SandboxSecrets {
  return {
    botToken: `xoxb-sandbox-${randomBytes(12).toString('hex')}`,
    signingSecret: randomBytes(32).toString('hex'),
    consoleClientSecret: randomBytes(16).toString('hex'),
    consoleSessionSecret: randomBytes(32).toString('hex'),
  };
}

/** Variables that would point the sandbox at something real; the sandbox replaces or drops them. */
const REAL_WORLD = ['SLACK_APP_TOKEN', 'SLACK_CLIENT_ID', 'SLACK_CLIENT_SECRET', 'SLACK_STATE_SECRET', 'ADMIN_USER_IDS', 'GITHUB_TOKEN', 'GITHUB_REPOSITORY'];

/**
 * The bot's configuration in the sandbox: the user's environment (log level, OpenAI, runbooks…) with
 * Slack pointed at the local fake, loopback only, and its own database unless DATABASE_URL is set.
 * GitHub is dropped so a toy postmortem never opens a real pull request.
 */
export function sandboxConfig(env: NodeJS.ProcessEnv, apiUrl: string, secrets: SandboxSecrets): Config {
  const clean: NodeJS.ProcessEnv = { ...env };
  for (const k of REAL_WORLD) delete clean[k];
  const port = env.PORT?.trim() || '3000';
  return loadConfig({
    ...clean,
    SLACK_BOT_TOKEN: secrets.botToken,
    SLACK_SIGNING_SECRET: secrets.signingSecret,
    SLACK_API_URL: apiUrl,
    HOST: '127.0.0.1',
    PORT: port,
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: env.DATABASE_URL?.trim() || './data/sandbox.db',
    ANNOUNCE_CHANNEL: ANNOUNCE_CHANNEL_ID,
    DIGEST_CHANNEL: DIGEST_CHANNEL_ID,
    SANDBOX: '1',
    // The console signs in against the fake's OpenID endpoints, as a real install does against slack.com.
    CONSOLE_SESSION_SECRET: secrets.consoleSessionSecret,
    SLACK_OIDC_ISSUER: apiUrl.replace(/\/api\/?$/, ''),
    SLACK_OIDC_CLIENT_ID: SANDBOX_CONSOLE_CLIENT_ID,
    SLACK_OIDC_CLIENT_SECRET: secrets.consoleClientSecret,
  });
}

/** Printed once the sandbox listens: the one thing a new user needs is the URL. */
export function sandboxReadyMessage(url: string, database: string): string {
  const line = '─'.repeat(Math.max(url.length + 8, 56));
  return [
    '',
    line,
    '  Runbook Revenant sandbox is running. Open it in your browser:',
    '',
    `    ${url}`,
    '',
    '  Everything runs on this machine; no Slack workspace is involved.',
    `  Data: ${database} (delete it to start over). Stop with Ctrl+C.`,
    line,
    '',
  ].join('\n');
}
