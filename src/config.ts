import { existsSync } from 'node:fs';
import { z } from 'zod';
import { parseDatabaseUrl } from './adapters/db/create-db';
import { cronProblem } from './watchlist/digest.schedule';
import { parseReminderIntervals, type ReminderIntervals } from './watchlist/reminder.policy';
import type { SlaTargets } from './insights/insights.types';
import { parseSlaTargets } from './insights/sla-targets';

const optional = z
  .string()
  .transform((s) => s.trim())
  .optional()
  .transform((s) => (s ? s : undefined));
const url = (name: string) =>
  optional.refine((s) => s === undefined || /^https?:\/\/[^\s]+$/.test(s), { message: `${name} must be an http(s) URL` });
const csv = optional.transform((s) => (s ? s.split(',').map((x) => x.trim()).filter(Boolean) : []));
const intIn = (min: number, max: number, dflt: number) =>
  optional.transform((s, ctx) => {
    if (s === undefined) return dflt;
    const n = Number(s);
    if (!Number.isInteger(n) || n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: `must be a whole number from ${min} to ${max}, got "${s}"` });
      return z.NEVER;
    }
    return n;
  });

const schema = z.object({
  SLACK_BOT_TOKEN: optional.refine((s) => s === undefined || s.startsWith('xoxb-'), { message: 'must start with xoxb-' }),
  SLACK_SIGNING_SECRET: optional,
  SLACK_CLIENT_ID: optional,
  SLACK_CLIENT_SECRET: optional,
  SLACK_STATE_SECRET: optional,
  SLACK_APP_TOKEN: optional.refine((s) => s === undefined || s.startsWith('xapp-'), { message: 'must start with xapp-' }),
  SLACK_API_URL: url('SLACK_API_URL').transform((s) => s ?? 'https://slack.com/api/'),
  PORT: intIn(0, 65535, 3000),
  HOST: optional.transform((s) => s ?? '0.0.0.0'),
  PUBLIC_URL: url('PUBLIC_URL'),
  DATABASE_URL: optional,
  DATABASE_POOL_MAX: intIn(1, 200, 10),
  OUTBOX_LEASE_MS: intIn(1000, 600_000, 30_000),
  SLACK_API_TIMEOUT_MS: intIn(100, 120_000, 10_000),
  ADMIN_USER_IDS: csv,
  INCIDENT_CHANNEL_PREFIX: optional
    .transform((s) => s ?? 'inc')
    .refine((s) => /^[a-z0-9_-]{1,20}$/.test(s), { message: 'must be 1-20 lowercase letters, digits, - or _' }),
  ANNOUNCE_CHANNEL: optional,
  PRIVATE_CHANNEL_PREFIX: optional
    .transform((s) => s ?? 'inc-private')
    .refine((s) => /^[a-z0-9_-]{1,30}$/.test(s), { message: 'must be 1-30 lowercase letters, digits, - or _' }),
  PRIVATE_ANNOUNCE: optional.transform((s) => s ?? 'none').pipe(z.enum(['none', 'neutral'])),
  GITHUB_PRIVATE_REPOSITORY: optional.refine((s) => s === undefined || /^[\w.-]+\/[\w.-]+$/.test(s), { message: 'must look like owner/repo' }),
  DIGEST_CHANNEL: optional,
  DIGEST_CRON: optional.transform((s) => s ?? '0 9 * * 1-5').refine((s) => !cronProblem(s), { message: 'must be a five-field cron expression such as 0 9 * * 1-5' }),
  DIGEST_TIMEZONE: optional.transform((s) => s ?? 'UTC').refine(validTimeZone, { message: 'must be an IANA time zone such as Europe/Berlin' }),
  INSIGHTS_CHANNEL: optional,
  INSIGHTS_CRON: optional.refine((s) => s === undefined || !cronProblem(s), { message: 'must be a five-field cron expression such as 0 9 * * 1' }),
  SLA_TARGETS: optional.transform((s, ctx): SlaTargets => {
    try {
      return parseSlaTargets(s);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
      return z.NEVER;
    }
  }),
  REMINDER_INTERVALS: optional.transform((s, ctx): ReminderIntervals => {
    try {
      return parseReminderIntervals(s);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
      return z.NEVER;
    }
  }),
  ARCHIVE_AFTER_HOURS: intIn(0, 8760, 24),
  AUTO_DECLARE: optional.transform((s) => s ?? 'breached').pipe(z.enum(['breached', 'off'])),
  AUTO_DECLARE_LIMIT: intIn(0, 10_000, 5),
  AUTO_DECLARE_WINDOW_MINUTES: intIn(1, 10_080, 10),
  RUNBOOKS_DIR: optional.transform((s) => s ?? './runbooks'),
  CATALOG_PATH: optional,
  SLOS_PATH: optional,
  SLO_ORG: optional,
  SLO_EVAL_CRON: optional.transform((s) => s ?? '* * * * *').refine((s) => !cronProblem(s), { message: 'must be a five-field cron expression such as */5 * * * *' }),
  PROMETHEUS_URL: url('PROMETHEUS_URL'),
  PROMETHEUS_BEARER_TOKEN: optional,
  PROMETHEUS_BASIC_AUTH: optional.refine((s) => s === undefined || s.includes(':'), { message: 'must be user:password' }),
  PROMETHEUS_TIMEOUT_MS: intIn(100, 120_000, 10_000),
  HEARTBEAT_CHECK_SECONDS: intIn(1, 3600, 30),
  CORRELATION_TOPOLOGY: optional.transform((s) => s ?? 'on').pipe(z.enum(['on', 'off'])),
  CORRELATION_TOPOLOGY_DEPTH: intIn(1, 5, 1),
  TIMELINE_THREAD_CAPTURE: optional.transform((s) => s ?? 'on').pipe(z.enum(['on', 'off'])),
  CATCHUP_MAX_MESSAGES: intIn(10, 5000, 500),
  OPENAI_API_KEY: optional,
  OPENAI_BASE_URL: url('OPENAI_BASE_URL'),
  OPENAI_MODEL: optional.transform((s) => s ?? 'gpt-4o-mini'),
  OPENAI_TIMEOUT_MS: intIn(100, 120_000, 15_000),
  GITHUB_TOKEN: optional,
  GITHUB_REPOSITORY: optional.refine((s) => s === undefined || /^[\w.-]+\/[\w.-]+$/.test(s), { message: 'must look like owner/repo' }),
  GITHUB_API_URL: url('GITHUB_API_URL').transform((s) => s ?? 'https://api.github.com'),
  FOLLOWUPS_REPOSITORY: optional.refine((s) => s === undefined || /^[\w.-]+\/[\w.-]+$/.test(s), { message: 'must look like owner/repo' }),
  FOLLOWUPS_WEBHOOK_SECRET: optional,
  CHANGES_MAPPING_PATH: optional,
  ROLLBACK_HOOK_SECRET: optional.refine((s) => s === undefined || s.length >= 16, { message: 'must be at least 16 characters' }),
  ROLLBACK_TIMEOUT_MINUTES: intIn(1, 1440, 15),
  LOG_LEVEL: optional.transform((s) => s ?? 'info').pipe(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])),
  SANDBOX: optional.transform((s) => s === '1' || s === 'true'),
  CONSOLE_SESSION_SECRET: optional.refine((s) => s === undefined || s.length >= 32, { message: 'must be at least 32 characters (e.g. openssl rand -hex 32)' }),
  SLACK_OIDC_ISSUER: url('SLACK_OIDC_ISSUER').transform((s) => (s ?? 'https://slack.com').replace(/\/$/, '')),
  SLACK_OIDC_CLIENT_ID: optional,
  SLACK_OIDC_CLIENT_SECRET: optional,
});

/** Every environment variable the app reads (documented in .env.example and README). */
export const CONFIG_KEYS = Object.keys(schema.shape);

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export type Config = ReturnType<typeof toConfig>;

function toConfig(e: z.infer<typeof schema>) {
  const slackMode: 'single' | 'oauth' | 'none' = e.SLACK_CLIENT_ID ? 'oauth' : e.SLACK_BOT_TOKEN || e.SLACK_SIGNING_SECRET ? 'single' : 'none';
  return {
    slack: {
      mode: slackMode,
      botToken: e.SLACK_BOT_TOKEN,
      signingSecret: e.SLACK_SIGNING_SECRET,
      clientId: e.SLACK_CLIENT_ID,
      clientSecret: e.SLACK_CLIENT_SECRET,
      stateSecret: e.SLACK_STATE_SECRET,
      appToken: e.SLACK_APP_TOKEN,
      apiUrl: e.SLACK_API_URL.endsWith('/') ? e.SLACK_API_URL : `${e.SLACK_API_URL}/`,
      /** Per Web API call; a timed-out effect is retried, and its retry checks whether the first try landed. */
      timeoutMs: e.SLACK_API_TIMEOUT_MS,
    },
    port: e.PORT,
    host: e.HOST,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    database: parseDatabaseUrl(e.DATABASE_URL),
    databasePoolMax: e.DATABASE_POOL_MAX,
    /** A crashed process's claimed effects are taken over after this (the lease is renewed while delivering). */
    outboxLeaseMs: e.OUTBOX_LEASE_MS,
    adminUserIds: e.ADMIN_USER_IDS,
    channelPrefix: e.INCIDENT_CHANNEL_PREFIX,
    announceChannel: e.ANNOUNCE_CHANNEL,
    /** Private incidents: neutral channel names, what ANNOUNCE_CHANNEL hears, where their postmortem PR goes. */
    privacy: {
      channelPrefix: e.PRIVATE_CHANNEL_PREFIX,
      announce: e.PRIVATE_ANNOUNCE,
      githubRepository: e.GITHUB_PRIVATE_REPOSITORY,
    },
    digest: { channel: e.DIGEST_CHANNEL, cron: e.DIGEST_CRON, timezone: e.DIGEST_TIMEZONE },
    /** Insights: SLA targets per severity; the weekly post (UTC cron) when both channel and cron are set. */
    insights: { channel: e.INSIGHTS_CHANNEL, cron: e.INSIGHTS_CRON, sla: e.SLA_TARGETS },
    /** Status-update reminder interval per severity (ms); a missing severity is never reminded. */
    reminders: { intervals: e.REMINDER_INTERVALS },
    /** Closed incidents' channels are archived this long after closing; 0 = never. */
    archiveAfterHours: e.ARCHIVE_AFTER_HOURS,
    autoDeclare: e.AUTO_DECLARE,
    /** At most `count` incidents opened by alerts per org per window; then one storm incident takes the rest. 0 = no cap. */
    autoDeclareLimit: { count: e.AUTO_DECLARE_LIMIT, windowMs: e.AUTO_DECLARE_WINDOW_MINUTES * 60_000 },
    runbooksDir: e.RUNBOOKS_DIR,
    /** Replies in the pinned summary's thread join the timeline (a workspace may turn it off in Slack). */
    timelineThreadCapture: e.TIMELINE_THREAD_CAPTURE === 'on',
    /** `/incident catchup` reads at most this many channel messages (and says so when it stops). */
    catchupMaxMessages: e.CATCHUP_MAX_MESSAGES,
    /** Backstage catalog-info.yaml folder (or file); unset = no catalog. */
    catalogPath: e.CATALOG_PATH,
    /** OpenSLO files, evaluated on SLO_EVAL_CRON against Prometheus; SLOs without `revenant/org` belong to SLO_ORG (else the home workspace). */
    slo: { path: e.SLOS_PATH, orgId: e.SLO_ORG, evalCron: e.SLO_EVAL_CRON },
    prometheus: { url: e.PROMETHEUS_URL, bearerToken: e.PROMETHEUS_BEARER_TOKEN, basicAuth: e.PROMETHEUS_BASIC_AUTH, timeoutMs: e.PROMETHEUS_TIMEOUT_MS },
    /** How often missed heartbeats are looked for. */
    heartbeatCheckSeconds: e.HEARTBEAT_CHECK_SECONDS,
    /** Topology correlation: a signal joins an open incident of a service it depends on or that depends on it. */
    correlationTopology: { enabled: e.CORRELATION_TOPOLOGY === 'on', depth: e.CORRELATION_TOPOLOGY_DEPTH },
    openai: { apiKey: e.OPENAI_API_KEY, baseUrl: e.OPENAI_BASE_URL, model: e.OPENAI_MODEL, timeoutMs: e.OPENAI_TIMEOUT_MS },
    github: { token: e.GITHUB_TOKEN, repository: e.GITHUB_REPOSITORY, apiUrl: e.GITHUB_API_URL },
    /** Follow-ups in GitHub Issues: the default repository (a workspace's `/incident followups repo` wins). */
    followUps: { repository: e.FOLLOWUPS_REPOSITORY, webhookSecret: e.FOLLOWUPS_WEBHOOK_SECRET },
    /** Changes: the mapping file (repositories, environments, deploy workflows, rollback per service); rollback hooks' secret. */
    changes: { mappingPath: e.CHANGES_MAPPING_PATH, hookSecret: e.ROLLBACK_HOOK_SECRET, rollbackTimeoutMs: e.ROLLBACK_TIMEOUT_MINUTES * 60_000 },
    logLevel: e.LOG_LEVEL,
    sandbox: e.SANDBOX,
    /** The web console: Sign in with Slack (OIDC) and signed session cookies. */
    console: {
      sessionSecret: e.CONSOLE_SESSION_SECRET,
      /** PUBLIC_URL as given: the OIDC redirect URI; unset, the request's own origin is used. */
      publicUrl: e.PUBLIC_URL?.replace(/\/$/, ''),
      oidc: {
        issuer: e.SLACK_OIDC_ISSUER,
        // SLACK_CLIENT_ID also switches the bot to OAuth installs; a single-workspace bot sets the OIDC pair.
        clientId: e.SLACK_OIDC_CLIENT_ID ?? e.SLACK_CLIENT_ID,
        clientSecret: e.SLACK_OIDC_CLIENT_SECRET ?? e.SLACK_CLIENT_SECRET,
      },
    },
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parse the environment; throws ConfigError naming every bad variable (no stack trace needed to read it). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const c = toConfig(parsed.data);
  const problems: string[] = [];
  if (c.slack.mode === 'single' && !c.slack.signingSecret && !c.slack.appToken) problems.push('SLACK_SIGNING_SECRET: required with SLACK_BOT_TOKEN (or set SLACK_APP_TOKEN for Socket Mode)');
  if (c.slack.mode === 'single' && !c.slack.botToken) problems.push('SLACK_BOT_TOKEN: required with SLACK_SIGNING_SECRET');
  if (c.slack.mode === 'oauth') {
    for (const k of ['clientSecret', 'stateSecret', 'signingSecret'] as const) {
      if (!c.slack[k]) problems.push(`${{ clientSecret: 'SLACK_CLIENT_SECRET', stateSecret: 'SLACK_STATE_SECRET', signingSecret: 'SLACK_SIGNING_SECRET' }[k]}: required in OAuth mode (SLACK_CLIENT_ID is set)`);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return c;
}

/** `.env` is read when present; real environment variables win. */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

/** What is missing to talk to a real Slack workspace, for the friendly start-up message. */
export const MISSING_SLACK_HELP = `No Slack credentials found. Set either
  SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET   (single workspace; add SLACK_APP_TOKEN for Socket Mode), or
  SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_STATE_SECRET and SLACK_SIGNING_SECRET   (multi-workspace OAuth).
See README.md "Create the Slack app" and .env.example.`;
