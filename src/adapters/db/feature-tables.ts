/* Each feature's tables, joined into `Database`. Add one import and one `&` per feature. */
import type { GuidanceTables } from './guidance.tables';
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type FeatureTables = {} & GuidanceTables;
