import type { App } from '@slack/bolt';
import type { AppDeps } from '../../app/deps';
import { findIncidentByChannel, listIncidents, roleOf } from '../db/incident.queries';
import { homeView } from './incident.blocks';
import { actorOf } from './subcommands/core.subcommands';

/** Extra App Home sections from feature areas (watchlist, my actions). */
export type HomeSection = (deps: AppDeps, orgId: string, userId: string, client: App['client']) => Promise<Record<string, unknown>[]>;
export const homeSections: HomeSection[] = [];

export async function publishHome(app: App, deps: AppDeps, client: App['client'], orgId: string, userId: string) {
  const extra = (await Promise.all(homeSections.map((s) => s(deps, orgId, userId, client)))).flat();
  // The dashboard section (open incidents by severity, watchlist, my actions) supersedes the plain list.
  const view = extra.length > 0 ? { type: 'home' as const, blocks: extra.slice(0, 100) } : homeView(await listIncidents(deps.db, orgId, 'open', 20));
  await client.views.publish({ user_id: userId, view: view as never });
}

export function registerEvents(app: App, deps: AppDeps) {
  // A :pushpin: on a message in an incident channel adds it to the timeline (once, however often pinned).
  app.event('reaction_added', async ({ event, client, context, body }) => {
    if (event.reaction !== 'pushpin' || event.item.type !== 'message') return;
    const orgId = context.teamId ?? (body as { team_id?: string }).team_id ?? '';
    const incident = await findIncidentByChannel(deps.db, orgId, event.item.channel);
    if (!incident) return;
    const role = await roleOf(deps.db, orgId, event.user, deps.config.adminUserIds);
    const hist = await client.conversations.history({ channel: event.item.channel, latest: event.item.ts, inclusive: true, limit: 1 });
    const msg = hist.messages?.find((m) => m.ts === event.item.ts);
    if (!msg) return;
    try {
      await deps.incidents.execute({
        orgId,
        incidentId: incident.id,
        actor: actorOf({ userId: event.user, role }),
        idempotencyKey: `msg:${event.item.channel}:${event.item.ts}`,
        command: { type: 'AddNote', text: (msg.text ?? '').slice(0, 3000) || '(message without text)', source: { channelId: event.item.channel, ts: event.item.ts, author: msg.user } },
      });
      deps.kickOutbox();
    } catch (e) {
      deps.logger.info({ err: e }, 'pushpin not added');
    }
  });

  app.event('app_home_opened', async ({ event, client, context }) => {
    if (event.tab !== 'home') return;
    await publishHome(app, deps, client, context.teamId ?? '', event.user);
  });
}
