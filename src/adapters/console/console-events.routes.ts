import { streamSSE } from 'hono/streaming';
import type { AppDeps } from '../../app/deps';
import type { CommittedChange } from '../../app/commit-feed';
import { userActor } from '../../app/access.service';
import { canSeeIncident } from '../../incidents/incident.permissions';
import { latestVisibleChange } from '../db/console-live.repo';
import type { ConsoleApp } from './console.routes';

const HEARTBEAT_MS = 25_000;
/** How often a stream looks for changes committed by another replica (this process's arrive at once). */
const POLL_MS = 3_000;

/**
 * `GET /console/orgs/:org/events[?incident=<id>]`: server-sent events for the list (any incident of the org)
 * or one incident page, fed by committed incident events whichever adapter made them. A change to an
 * incident the viewer may not see is never sent, not even its id. The stream ends when the session does.
 */
export function mountEventRoutes(app: ConsoleApp, deps: AppDeps): void {
  app.get('/orgs/:org/events', (c) => {
    const user = c.get('consoleUser');
    const session = c.get('session');
    const only = c.req.query('incident');
    const feed = deps.commitFeed;
    const actor = userActor(user.userId, user.role);
    c.header('cache-control', 'no-store');
    c.header('x-accel-buffering', 'no');
    return streamSSE(c, async (stream) => {
      const queue: CommittedChange[] = [];
      let wake: (() => void) | undefined;
      const unsubscribe = feed?.subscribe(user.orgId, (change) => {
        if (only && change.incidentId !== only) return;
        // An audit of someone looking changes nothing on screen; refreshing for it would audit again, forever.
        if (change.types.every((t) => t === 'PRIVATE_INCIDENT_VIEWED')) return;
        queue.push(change);
        wake?.();
      });
      const ends = Math.max(0, session.exp - deps.now().getTime());
      let open = true;
      const stop = () => {
        open = false;
        wake?.();
      };
      stream.onAbort(stop);
      const endTimer = setTimeout(stop, Math.min(ends, 2 ** 31 - 1));
      // Commits of this process arrive at once; another replica's are found by polling the log.
      const marker = () => latestVisibleChange(deps.db, user.orgId, actor, only);
      let seen = await marker();
      let lastWrite = Date.now();
      try {
        await stream.writeSSE({ event: 'ready', data: JSON.stringify({ incident: only ?? null }) });
        while (open) {
          if (queue.length === 0) {
            await new Promise<void>((resolve) => {
              wake = resolve;
              setTimeout(resolve, POLL_MS).unref();
            });
            wake = undefined;
            if (!open || queue.length > 0) continue;
            const now = await marker();
            if (now !== seen) {
              seen = now;
              const [incidentId] = now.split(':');
              queue.push({ orgId: user.orgId, incidentId, types: [], version: -1 });
            } else if (Date.now() - lastWrite >= HEARTBEAT_MS) {
              await stream.write(': keep-alive\n\n');
              lastWrite = Date.now();
            }
            continue;
          }
          const change = queue.shift()!;
          const state = await deps.incidents.load(user.orgId, change.incidentId);
          if (!state.exists || !canSeeIncident(actor, state).allowed) continue;
          if (change.version >= 0) seen = await marker();
          const version = change.version >= 0 ? change.version : state.version;
          await stream.writeSSE({
            event: 'incident',
            id: `${change.incidentId}:${version}`,
            data: JSON.stringify({ incidentId: change.incidentId, number: state.number, version, types: change.types }),
          });
          lastWrite = Date.now();
        }
      } finally {
        clearTimeout(endTimer);
        unsubscribe?.();
      }
    });
  });
}
