/* Each feature's tables, joined into `Database`. Add one import and one `&` per feature. */
import type { ConnectorTables } from './connector.tables';
import type { DigestTables } from './digest.tables';
import type { GuidanceTables } from './guidance.tables';
import type { InstallationTables } from './installation.tables';
import type { PostmortemTables } from './postmortem.tables';
import type { WatchlistTables } from './watchlist.tables';
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type FeatureTables = {} & ConnectorTables & DigestTables & GuidanceTables & InstallationTables & PostmortemTables & WatchlistTables;
