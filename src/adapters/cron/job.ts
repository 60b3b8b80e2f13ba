import type { Logger } from 'pino';
import type { Config } from '../../config';
import type { DB } from '../db/schema';

/** What every scheduled job gets. `id` names this process in the slot claims it wins. */
export interface JobContext {
  db: DB;
  config: Config;
  logger: Logger;
  id: string;
  /** The workspace of a single-workspace install, so its default digest runs before any activity. */
  homeOrg?: () => Promise<string | undefined>;
}

/** A job looks at `at`, claims what is due in the database and enqueues the effects; returns what it claimed. */
export type Job = (ctx: JobContext, at: Date) => Promise<string[]>;
