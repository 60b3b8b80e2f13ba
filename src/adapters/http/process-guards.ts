import type { Logger } from 'pino';
import { stderrLines } from '../logger';

/** Process-wide fault counts, read by /metrics (`revenant_unhandled_rejections_total`). */
export const processFaults = { unhandledRejections: 0 };

let installed = false;

/**
 * A promise nobody awaited must not stop a process that serves alerts (Node's default on an unhandled
 * rejection is to exit): log it, count it, keep running. A stray console write to a closed pipe (EPIPE)
 * would otherwise surface as an uncaught 'error' event; the logger has its own writer and counts drops.
 */
export function installProcessGuards(logger: () => Logger | undefined): void {
  if (installed) return;
  installed = true;
  process.on('unhandledRejection', (reason) => {
    processFaults.unhandledRejections++;
    const msg = 'unhandled promise rejection (logged and counted; the process keeps running)';
    const log = logger();
    if (log) log.error({ err: reason }, msg);
    else
      stderrLines().write(`${msg}: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}\n`);
  });
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
}
