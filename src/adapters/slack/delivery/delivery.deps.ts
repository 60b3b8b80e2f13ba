import type { WebClient } from '@slack/web-api';
import type { IncidentService } from '../../../app/incident.service';
import type { CatalogService } from '../../../app/catalog.service';
import type { Config } from '../../../config';
import type { DB } from '../../db/schema';

/** What every Slack deliverer may use. */
export interface SlackDeliveryDeps {
  db: DB;
  config: Config;
  now: () => Date;
  /** The bot's client for a workspace; undefined when the workspace uninstalled us. */
  clientFor: (orgId: string) => Promise<WebClient | undefined>;
  /** Only the channel opening records what it did (the channel, the summary ts) as incident commands. */
  incidents: IncidentService;
  /** The service catalog: the owners of an incident's service are invited when its channel opens. */
  catalog?: CatalogService;
  /** Where a deliverer reports what it skipped (e.g. an owner group Slack does not know). */
  warn?: (message: string, details?: Record<string, unknown>) => void;
}

/** The incident-less deliverers (digests) and the scheduled ones need less. */
export type ScheduledDeliveryDeps = Pick<SlackDeliveryDeps, 'db' | 'config' | 'now' | 'clientFor'>;

export const SYSTEM_ACTOR = { kind: 'system' as const, id: 'revenant', role: 'admin' as const };
