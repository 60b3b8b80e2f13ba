import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../../../app/deps';
import type { Actor } from '../../../incidents/incident.types';
import type { Role } from '../../../shared/roles';
import type { IncidentRow } from '../../db/schema';

export interface CommandContext {
  orgId: string;
  userId: string;
  channelId: string;
  /** Text after the subcommand word. */
  args: string;
  role: Role;
  /** The caller as the services see them (user id and workspace role). */
  actor: Actor;
  triggerId: string;
  /** The incident whose channel the command ran in, if any. */
  incident?: IncidentRow;
  client: WebClient;
  /** Same for a Slack retry of the same request. */
  idempotencyKey: string;
}

export type Reply =
  | { text: string; blocks?: unknown[]; inChannel?: boolean }
  /** Open a modal (needs the trigger, so it is opened right after the ack). */
  | { modal: Record<string, unknown> };

export interface Subcommand {
  name: string;
  aliases?: string[];
  /** One line for help. */
  usage: string;
  /** Refused with a clear error outside an incident channel. */
  needsIncident?: boolean;
  /**
   * Coarse gate for subcommands whose use case has no service yet; decided by the domain (`hasRole`).
   * Leave it out when the service checks its own permission (every incident, access and connector command).
   */
  minRole?: Role;
  /** Ack at once with "working on it" and answer through response_url (LLM calls, GitHub…). */
  slow?: boolean;
  run(ctx: CommandContext, deps: AppDeps): Promise<Reply>;
}
