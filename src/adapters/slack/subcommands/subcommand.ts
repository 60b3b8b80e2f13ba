import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../../../app/deps';
import type { Role } from '../../../shared/roles';
import type { IncidentRow } from '../../db/schema';

export interface CommandContext {
  orgId: string;
  userId: string;
  channelId: string;
  /** Text after the subcommand word. */
  args: string;
  role: Role;
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
  /** Checked before run; finer rules (cancel, severity) live in the decider. */
  minRole: Role;
  /** Ack at once with "working on it" and answer through response_url (LLM calls, GitHub…). */
  slow?: boolean;
  run(ctx: CommandContext, deps: AppDeps): Promise<Reply>;
}
