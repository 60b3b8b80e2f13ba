/* Optional dependencies of feature areas (signals, digests, guidance, postmortems). Add one field per feature. */
import type { Metrics } from '../adapters/http/metrics';
import type { SearchIndexer } from '../adapters/db/search.indexer';
import type { PostmortemDrafter } from '../adapters/openai/postmortem-drafter';
import type { RunbookFiles } from '../adapters/runbooks/runbook-files';
import type { Config } from '../config';

export interface FeatureDeps {
  /** Postmortem drafting (drafter is null without OPENAI_API_KEY) and PR settings. */
  postmortems: { drafter: PostmortemDrafter | null; github: Config['github'] };
  /** Prometheus metrics (alert ingestion counts accepted and repeated alerts). */
  metrics: Metrics;
  /** `RUNBOOKS_DIR/<service>.md` (a workspace's stored runbooks win over these). */
  runbooks: RunbookFiles;
  /** Keeps the related-incident search index current after commits (tests `flush()` it). */
  searchIndexer: SearchIndexer;
}
