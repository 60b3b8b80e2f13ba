/* Each feature's tables, joined into `Database`. Add one import and one `&` per feature. */
import type { ApiTables } from './api.tables';
import type { ChangesTables } from './changes.tables';
import type { ChannelProblemTables } from './channel-problem.tables';
import type { ConnectorTables } from './connector.tables';
import type { DigestTables } from './digest.tables';
import type { FollowUpTables } from './followups.tables';
import type { GuidanceTables } from './guidance.tables';
import type { InstallationTables } from './installation.tables';
import type { PostmortemTables } from './postmortem.tables';
import type { PrivacyTables } from './privacy.tables';
import type { RollbackTables } from './rollback.tables';
import type { SloTables } from './slo.tables';
import type { TimelineTables } from './timeline.tables';
import type { WatchlistTables } from './watchlist.tables';
export type FeatureTables = {} & ApiTables & ChangesTables & ChannelProblemTables & ConnectorTables & DigestTables & FollowUpTables & GuidanceTables & InstallationTables & PostmortemTables & PrivacyTables & RollbackTables & SloTables & TimelineTables & WatchlistTables;
