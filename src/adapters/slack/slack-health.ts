import type { Logger } from 'pino';

export interface SlackIdentity {
  teamId?: string;
  botUserId?: string;
  botId?: string;
}

export type SlackState = 'unknown' | 'ok' | 'degraded';

export interface SlackStatus {
  state: SlackState;
  /** When the state last changed (ISO). */
  since: string;
  lastError?: string;
  /** Failed probes in a row; the next one waits `nextProbeInMs`. */
  failures: number;
  nextProbeInMs?: number;
}

export interface SlackHealth {
  status(): SlackStatus;
  /** What auth.test said, once it answered (undefined before, or in OAuth mode). */
  identity(): SlackIdentity | undefined;
  /** A delivery could not reach Slack: report degraded and probe again in the background. */
  unreachable(error: string): void;
  /** A call went through: Slack is back. */
  reachable(): void;
  start(): void;
  stop(): void;
}

export interface SlackHealthOptions {
  /** auth.test with the bot token (single-workspace), or api.test (OAuth mode, no token of its own). */
  probe: () => Promise<SlackIdentity>;
  logger: Logger;
  now?: () => Date;
  /** First retry after a failed probe; doubles up to maxMs. */
  baseMs?: number;
  maxMs?: number;
  /** Slack answers again after having been unreachable (the outbox hurries what waited). */
  onRecovered?: () => void;
}

/**
 * Start-up checks against Slack (auth.test) without making Slack a start-up dependency: the process
 * listens, takes alerts and serves health and metrics whatever Slack does; this probes in the
 * background with a doubling backoff until Slack answers, and /readyz shows the state.
 */
export function createSlackHealth(opts: SlackHealthOptions): SlackHealth {
  const now = opts.now ?? (() => new Date());
  const log = opts.logger.child({ component: 'slack-health' });
  const baseMs = opts.baseMs ?? 1000;
  const maxMs = opts.maxMs ?? 60_000;
  let state: SlackState = 'unknown';
  let since = now().toISOString();
  let lastError: string | undefined;
  let failures = 0;
  let known: SlackIdentity | undefined;
  let timer: NodeJS.Timeout | undefined;
  let nextDelay: number | undefined;
  let probing = false;
  let stopped = true;

  const setState = (s: SlackState) => {
    if (s === state) return;
    const recovered = s === 'ok' && state === 'degraded';
    state = s;
    since = now().toISOString();
    if (recovered) opts.onRecovered?.();
  };

  function schedule(delay: number) {
    if (stopped || timer) return;
    nextDelay = delay;
    timer = setTimeout(() => {
      timer = undefined;
      nextDelay = undefined;
      void probe();
    }, delay);
    timer.unref();
  }

  async function probe() {
    if (probing || stopped) return;
    probing = true;
    try {
      known = { ...known, ...(await opts.probe()) };
      if (state !== 'ok') log.info({ afterFailures: failures, teamId: known.teamId }, 'Slack is reachable');
      failures = 0;
      lastError = undefined;
      setState('ok');
    } catch (e) {
      failures++;
      lastError = e instanceof Error ? e.message : String(e);
      const delay = Math.min(maxMs, baseMs * 2 ** (failures - 1));
      // Warn on the first failure and then once per minute-long wait, not on every probe.
      if (failures === 1 || delay === maxMs)
        log.warn(
          { err: lastError, failures, retryInMs: delay },
          'Slack is unreachable; alerts and commands are still taken, effects wait in the outbox',
        );
      setState('degraded');
      schedule(delay);
    } finally {
      probing = false;
    }
  }

  return {
    status: () => ({
      state,
      since,
      failures,
      ...(lastError ? { lastError } : {}),
      ...(nextDelay !== undefined ? { nextProbeInMs: nextDelay } : {}),
    }),
    identity: () => known,
    unreachable(error) {
      lastError = error;
      if (state === 'degraded') return;
      setState('degraded');
      schedule(baseMs);
    },
    reachable() {
      if (state === 'ok') return;
      if (timer) clearTimeout(timer);
      timer = undefined;
      nextDelay = undefined;
      // Still without auth.test's answer (the bot's own ids): ask now rather than just flip the state.
      if (!known) return void probe();
      failures = 0;
      lastError = undefined;
      setState('ok');
    },
    start() {
      stopped = false;
      void probe();
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
