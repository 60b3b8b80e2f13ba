/* Each feature's tables, joined into `Database`. Add one import and one `&` per feature. */
import type { GuidanceTables } from './guidance.tables';
import type { PostmortemTables } from './postmortem.tables';
import type { WatchlistTables } from './watchlist.tables';
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type FeatureTables = {} & GuidanceTables & PostmortemTables & WatchlistTables;
