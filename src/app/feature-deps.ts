/* Optional dependencies of feature areas (signals, digests, guidance, postmortems). Add one field per feature. */
import type { Metrics } from '../adapters/metrics/metrics';
import type { SearchIndexer } from '../adapters/db/search.indexer';
import type { RunbookFiles } from '../adapters/runbooks/runbook-files';
import type { GuidanceDrafterPort } from './guidance.service';
import type { CatchupSummarizerPort } from './catchup.service';
import type { MappingSource } from '../changes/change.mapping';
import type { CatalogService } from './catalog.service';
import type { CommitFeed } from './commit-feed';
import type { SloFeature } from './slo.service';
import type { PostmortemChatPorts, PostmortemDrafterPort, PullRequests } from './postmortem.service';

export interface FeatureDeps {
  /** Postmortem drafting (a model with OPENAI_API_KEY, else deterministic) and pull requests (GitHub). */
  postmortems: {
    drafter: PostmortemDrafterPort;
    pullRequests: PullRequests;
    /** A workspace's chat ports for callers outside a Slack request (the REST API); set once Slack is wired. */
    chatPortsFor?: (orgId: string) => Promise<PostmortemChatPorts>;
  };
  /** Guidance drafting (a model with OPENAI_API_KEY, else deterministic). */
  guidance: { drafter: GuidanceDrafterPort };
  /** `/incident catchup` summaries (a model with OPENAI_API_KEY; the digest alone otherwise). */
  catchup: { summarizer: CatchupSummarizerPort };
  /** Prometheus metrics (alert ingestion counts accepted and repeated alerts). */
  metrics: Metrics;
  /** `RUNBOOKS_DIR/<service>.md` (a workspace's stored runbooks win over these). */
  runbooks: RunbookFiles;
  /** Keeps the related-incident search index current after commits (tests `flush()` it). */
  searchIndexer: SearchIndexer;
  /** The Backstage service catalog from CATALOG_PATH (see the note atop catalog.service.ts). */
  catalog: CatalogService;
  /** Committed incident events, in process (the console's live updates). */
  commitFeed: CommitFeed;
  /** OpenSLO files (SLOS_PATH), Prometheus (PROMETHEUS_URL) and the evaluation service (slo.service.ts). */
  slos: SloFeature;
  /** CHANGES_MAPPING_PATH: repositories → services, environment aliases, deploy workflows, rollback per service. */
  changesMapping: MappingSource;
}
