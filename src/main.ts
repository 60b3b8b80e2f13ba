import { ConfigError, loadConfig, loadDotEnv, MISSING_SLACK_HELP } from './config';
import { sandboxReadyMessage } from './sandbox/sandbox.config';
import { startSandbox } from './sandbox/sandbox.start';
import { type Running, startRevenant } from './server';

async function main() {
  loadDotEnv();
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
  // No Slack credentials (or SANDBOX=1): run the bot against a local Slack stand-in instead of exiting.
  const sandbox = config.sandbox || config.slack.mode === 'none';
  if (sandbox) {
    console.log(`${config.sandbox ? 'SANDBOX=1: Slack credentials are ignored.' : MISSING_SLACK_HELP}\nStarting the local sandbox at http://127.0.0.1:${config.port}/sandbox`);
  }
  let running: Running;
  if (sandbox) {
    const sb = await startSandbox(process.env);
    console.log(sandboxReadyMessage(sb.sandboxUrl, sb.config.database.location));
    running = sb;
  } else running = await startRevenant(config);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    running.deps.logger.info({ signal }, 'shutting down');
    // Orchestrators send SIGKILL after ~30 s: leave on our own terms before that.
    setTimeout(() => {
      running.deps.logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, 25_000).unref();
    try {
      await running.stop();
    } catch (err) {
      running.deps.logger.error({ err }, 'shutdown failed');
      process.exit(1);
    }
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((e) => {
  const hint = (e as { code?: string })?.code === 'EADDRINUSE' ? ' (another program uses that port: set PORT to a free one, e.g. PORT=3001 npm start)' : '';
  console.error(`Runbook Revenant could not start: ${e instanceof Error ? e.message : String(e)}${hint}`);
  process.exit(1);
});
