import { grantRole } from '../adapters/db/incident.queries';
import { startSlackFake } from '../adapters/slack-fake/slack-fake.server';
import type { Config } from '../config';
import { type Running, startRevenant, type StartOptions } from '../server';
import { ensureConnectors, SandboxAlerts } from './sandbox.alerts';
import { newSandboxSecrets, SANDBOX_BOT_USER_ID, SANDBOX_CONSOLE_CLIENT_ID, SANDBOX_CHANNELS, SANDBOX_TEAM_ID, SANDBOX_USERS, sandboxConfig, sandboxTeam } from './sandbox.config';
import { sandboxDigest } from './sandbox.digest';
import { type SandboxRuntime, sandboxRoutes } from './sandbox.routes';
import { readSnapshot, restoreSnapshot, snapshotPath, writeSnapshot } from './sandbox.snapshot';
import { SandboxWorkspace } from './sandbox.workspace';

export interface RunningSandbox extends Running {
  /** http://127.0.0.1:PORT/sandbox */
  sandboxUrl: string;
  workspace: SandboxWorkspace;
  config: Config;
}

export interface SandboxOptions extends Omit<StartOptions, 'routes'> {
  /** Where the fake workspace is saved; default next to the database; false: not saved (tests). */
  snapshot?: string | false;
}

/**
 * The bot, a Slack Web API fake on another loopback port, and the sandbox page on the bot's own port.
 * The fake gets its own port because the bot's Slack client needs its URL before the bot listens.
 */
export async function startSandbox(env: NodeJS.ProcessEnv, opts: SandboxOptions = {}): Promise<RunningSandbox> {
  const secrets = newSandboxSecrets();
  const fake = await startSlackFake({ host: '127.0.0.1', port: 0, teams: [sandboxTeam(secrets.botToken)] });
  let running: Running | undefined;
  try {
    const config = sandboxConfig(env, fake.url, secrets);
    const snapPath = opts.snapshot === false ? undefined : (opts.snapshot ?? snapshotPath(config.database));
    const snap = readSnapshot(snapPath, config.database, SANDBOX_TEAM_ID);
    if (snap) restoreSnapshot(fake, snap);
    else for (const c of SANDBOX_CHANNELS) fake.addChannel({ id: c.id, name: c.name, purpose: c.purpose, members: [SANDBOX_BOT_USER_ID, ...SANDBOX_USERS.map((u) => u.id)] }, SANDBOX_TEAM_ID);
    fake.state.oauth.registerApp({ clientId: SANDBOX_CONSOLE_CLIENT_ID, clientSecret: secrets.consoleClientSecret });

    let botUrl = '';
    const ws = new SandboxWorkspace(fake, SANDBOX_TEAM_ID, secrets.signingSecret, () => botUrl);
    const alerts = new SandboxAlerts(() => botUrl, {});
    const streams = new Set<() => void>();
    // The digest needs the running bot's deps; it is filled in right after start, before anyone can click.
    const runtime: SandboxRuntime = { ws, alerts, digest: { available: false, note: 'starting…' }, defaultUser: SANDBOX_USERS[0].id, defaultChannel: SANDBOX_CHANNELS[0].id };
    const { snapshot: _snapshot, ...startOpts } = opts;
    running = await startRevenant(config, { ...startOpts, routes: [sandboxRoutes(runtime, streams)] });
    botUrl = running.url;
    const { db, logger } = running.deps;

    // Roles are seeded once; changes made in the sandbox (`/incident access grant`) survive restarts.
    for (const u of SANDBOX_USERS) {
      const has = await db.selectFrom('access_grants').select('role').where('org_id', '=', SANDBOX_TEAM_ID).where('user_id', '=', u.id).executeTakeFirst();
      if (!has) await grantRole(db, { orgId: SANDBOX_TEAM_ID, userId: u.id, role: u.role, grantedBy: 'sandbox', now: new Date() });
    }
    Object.assign(alerts.connectors, await ensureConnectors(db, SANDBOX_TEAM_ID, snap?.connectors ?? {}, new Date()));
    runtime.digest = sandboxDigest(running, SANDBOX_TEAM_ID, (id) => ws.channel(id)?.name);

    let saveTimer: NodeJS.Timeout | undefined;
    const save = () => {
      if (snapPath) writeSnapshot(snapPath, fake, SANDBOX_TEAM_ID, alerts.connectors, snap);
    };
    ws.on('change', () => {
      saveTimer ??= setTimeout(() => {
        saveTimer = undefined;
        try {
          save();
        } catch (err) {
          logger.warn({ err }, 'sandbox: could not save the workspace');
        }
      }, 500);
    });
    save();

    const inner = running;
    return {
      ...inner,
      config,
      workspace: ws,
      sandboxUrl: `http://127.0.0.1:${inner.port}/sandbox`,
      async stop() {
        for (const close of [...streams]) close();
        clearTimeout(saveTimer);
        await inner.stop();
        try {
          save();
        } catch (err) {
          logger.warn({ err }, 'sandbox: could not save the workspace');
        }
        ws.dispose();
        await fake.close();
      },
    };
  } catch (e) {
    await running?.stop().catch(() => undefined);
    await fake.close().catch(() => undefined);
    throw e;
  }
}
