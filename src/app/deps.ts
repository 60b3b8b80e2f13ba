import type { Logger } from 'pino';
import type { DB } from '../adapters/db/schema';
import type { Config } from '../config';
import type { IncidentService } from './incident.service';

/**
 * The plain dependency object wired in main.ts and handed to adapters. Feature areas add optional
 * fields in `feature-deps.ts`, so parallel work never edits this interface.
 */
import type { FeatureDeps } from './feature-deps';

export interface CoreDeps {
  db: DB;
  config: Config;
  logger: Logger;
  now: () => Date;
  incidents: IncidentService;
  /** Wake the outbox worker after a commit. */
  kickOutbox: () => void;
}

export type AppDeps = CoreDeps & Partial<FeatureDeps>;
