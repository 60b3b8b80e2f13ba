import { installProcessGuards } from './adapters/http/process-guards';
import { flushLogs, stderrLines, stdoutLines } from './adapters/logger';
import { ConfigError, loadConfig, loadDotEnv, MISSING_SLACK_HELP } from './config';
import { type Running, startRevenant } from './server';

// Messages go through the same non-blocking writers as the logs: a full or closed pipe must never freeze us.
const say = (text: string) => void stdoutLines().write(`${text}\n`);
const complain = (text: string) => void stderrLines().write(`${text}\n`);
/** Leave, after giving queued output a bounded moment to reach a live reader. */
async function exit(code: number): Promise<never> {
  await flushLogs(1000);
  process.exit(code);
}

let running: Running | undefined;

async function main() {
  installProcessGuards(() => running?.deps.logger);
  loadDotEnv();
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      complain(e.message);
      return exit(1);
    }
    throw e;
  }
  // No Slack credentials (or SANDBOX=1): run the bot against a local Slack stand-in instead of exiting.
  const sandbox = config.sandbox || config.slack.mode === 'none';
  if (sandbox) {
    say(`${config.sandbox ? 'SANDBOX=1: Slack credentials are ignored.' : MISSING_SLACK_HELP}\nStarting the local sandbox at http://127.0.0.1:${config.port}/sandbox`);
  }
  let started: Running;
  if (sandbox) {
    // Loaded only here: the sandbox (Slack fake, its pages) is ~30 modules a real deployment never runs.
    const [{ startSandbox }, { sandboxReadyMessage }] = await Promise.all([import('./sandbox/sandbox.start'), import('./sandbox/sandbox.config')]);
    const sb = await startSandbox(process.env);
    say(sandboxReadyMessage(sb.sandboxUrl, sb.config.database.location));
    started = sb;
  } else started = await startRevenant(config);
  running = started;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    started.deps.logger.info({ signal }, 'shutting down');
    // Orchestrators send SIGKILL after ~30 s: leave on our own terms before that.
    setTimeout(() => {
      started.deps.logger.error('shutdown took too long; exiting');
      void flushLogs(500).finally(() => process.exit(1));
    }, 25_000).unref();
    try {
      await started.stop();
    } catch (err) {
      started.deps.logger.error({ err }, 'shutdown failed');
      return exit(1);
    }
    return exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((e) => {
  const hint = (e as { code?: string })?.code === 'EADDRINUSE' ? ' (another program uses that port: set PORT to a free one, e.g. PORT=3001 npm start)' : '';
  complain(`Runbook Revenant could not start: ${e instanceof Error ? e.message : String(e)}${hint}`);
  void exit(1);
});
