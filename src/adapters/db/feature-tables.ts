/* Each feature's tables, joined into `Database`. Add one import and one `&` per feature. */
import type { ApiTables } from './api.tables';
import type { ChangesTables } from './changes.tables';
import type { ChannelProblemTables } from './channel-problem.tables';
import type { ConnectorTables } from './connector.tables';
import type { DigestTables } from './digest.tables';
import type { GuidanceTables } from './guidance.tables';
import type { InstallationTables } from './installation.tables';
import type { PostmortemTables } from './postmortem.tables';
import type { WatchlistTables } from './watchlist.tables';
export type FeatureTables = {} & ApiTables & ChangesTables & ChannelProblemTables & ConnectorTables & DigestTables & GuidanceTables & InstallationTables & PostmortemTables & WatchlistTables;
