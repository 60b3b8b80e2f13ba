/* Optional dependencies of feature areas (signals, digests, guidance, postmortems). Add one field per feature. */
import type { Metrics } from '../adapters/metrics/metrics';
import type { SearchIndexer } from '../adapters/db/search.indexer';
import type { RunbookFiles } from '../adapters/runbooks/runbook-files';
import type { GuidanceDrafterPort } from './guidance.service';
import type { PostmortemDrafterPort, PullRequests } from './postmortem.service';

export interface FeatureDeps {
  /** Postmortem drafting (a model with OPENAI_API_KEY, else deterministic) and pull requests (GitHub). */
  postmortems: { drafter: PostmortemDrafterPort; pullRequests: PullRequests };
  /** Guidance drafting (a model with OPENAI_API_KEY, else deterministic). */
  guidance: { drafter: GuidanceDrafterPort };
  /** Prometheus metrics (alert ingestion counts accepted and repeated alerts). */
  metrics: Metrics;
  /** `RUNBOOKS_DIR/<service>.md` (a workspace's stored runbooks win over these). */
  runbooks: RunbookFiles;
  /** Keeps the related-incident search index current after commits (tests `flush()` it). */
  searchIndexer: SearchIndexer;
}
