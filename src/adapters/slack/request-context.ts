import type { App, Context } from '@slack/bolt';
import { resolveActor } from '../../app/access.service';
import type { AppDeps } from '../../app/deps';
import { incidentOfChannel } from '../../app/incident-commands-read.service';
import type { Actor } from '../../incidents/incident.types';
import { DomainError } from '../../shared/domain-error';
import type { IncidentRow } from '../db/schema';

/**
 * Who asks, in which workspace and channel, taken once per request from Slack's signed envelope (never from
 * button values or private_metadata). The role and the channel's incident are looked up on first use and kept.
 */
export interface SlackRequest {
  orgId: string;
  userId: string;
  channelId?: string;
  actor(): Promise<Actor>;
  /** The incident whose channel the request came from, if any. */
  incident(): Promise<IncidentRow | undefined>;
  /** The channel's incident, or a clear refusal outside incident channels. */
  requireIncident(): Promise<IncidentRow>;
}

/** The fields the request kinds (slash command, interactivity, Events API) carry identity in. */
interface Envelope {
  type?: string;
  team_id?: string;
  team?: { id?: string } | null;
  user_id?: string;
  user?: { id?: string } | string;
  channel_id?: string;
  channel?: { id?: string } | string;
  view?: { state?: { values?: unknown } };
  event?: { user?: string; channel?: unknown; item?: { channel?: string } };
}

const KEY = 'revenantRequest';

const once = <T>(load: () => Promise<T>): (() => Promise<T>) => {
  let p: Promise<T> | undefined;
  return () => (p ??= load());
};

export function createSlackRequest(
  deps: AppDeps,
  orgId: string,
  userId: string,
  channelId: string | undefined,
): SlackRequest {
  const incident = once(() => incidentOfChannel(deps, orgId, channelId));
  return {
    orgId,
    userId,
    channelId,
    actor: once(() => resolveActor(deps, orgId, userId)),
    incident,
    async requireIncident() {
      const found = await incident();
      if (!found) throw new DomainError('not_in_incident_channel', 'This only works in an incident channel.');
      return found;
    },
  };
}

function identify(b: Envelope, teamId: string | undefined) {
  const id = (x: { id?: string } | string | null | undefined) => (typeof x === 'string' ? x : x?.id);
  const eventChannel = typeof b.event?.channel === 'string' ? b.event.channel : undefined;
  return {
    orgId: teamId ?? b.team_id ?? id(b.team) ?? '',
    userId: b.user_id ?? id(b.user) ?? b.event?.user ?? '',
    channelId: b.channel_id ?? id(b.channel) ?? b.event?.item?.channel ?? eventChannel,
  };
}

/** Global middleware: builds the request context every listener reads with `slackRequest(context)`. */
export function installRequestContext(app: App, deps: AppDeps): void {
  app.use(async ({ body, context, next }) => {
    const b = body as Envelope;
    // A form submitted without `state` (seen in the wild, issue 20) reads as an empty form, so each modal
    // answers with its own validation errors instead of throwing and leaving Slack without an answer.
    if (b.type === 'view_submission' && b.view && !b.view.state?.values) b.view.state = { values: {} };
    const who = identify(b, context.teamId);
    context[KEY] = createSlackRequest(deps, who.orgId, who.userId, who.channelId);
    await next();
  });
}

export function slackRequest(context: Context): SlackRequest {
  const r = context[KEY] as SlackRequest | undefined;
  if (!r) throw new Error('request context missing: installRequestContext must run before the listeners');
  return r;
}
