import { ConfigError, loadConfig, loadDotEnv, MISSING_SLACK_HELP } from './config';
import { startRevenant } from './server';

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
  if (config.slack.mode === 'none') {
    console.error(MISSING_SLACK_HELP);
    process.exit(1);
  }
  const running = await startRevenant(config);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    running.deps.logger.info({ signal }, 'shutting down');
    await running.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((e) => {
  console.error(`Runbook Revenant could not start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
