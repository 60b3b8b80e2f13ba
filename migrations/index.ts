import type { Migration } from 'kysely';
import * as m00 from './20261121_0001_core';
import * as m01 from './20261121_0100_connectors';
import * as m02 from './20261121_0200_watchlist';
import * as m03 from './20261121_0300_postmortems';
import * as m04 from './20261121_0400_guidance';
import * as m05 from './20261121_0500_installations';
import * as m06 from './20261121_0600_digests';
import * as m07 from './20261122_0700_outbox_active_indexes';
import * as m08 from './20261202_0200_channel_problems';
import * as m09 from './20261202_0300_api';
import * as m10 from './20261202_0600_changes';
import * as m11 from './20261203_0100_rollbacks';
import * as m12 from './20261203_0300_slos';
import * as m13 from './20261203_0400_private_incidents';
import * as m14 from './20261203_0700_followups';
import * as m15 from './20261203_0800_timeline_sync';

/**
 * Every migration, by the name Kysely records in `kysely_migration` (the file name without extension; never
 * rename one). A static list, so the bundle `npm start` runs (dist/main.js) contains them; reading the folder
 * at run time would not. tests/unit/migrations-index.test.ts checks that every file here is listed.
 */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '20261121_0001_core': m00,
  '20261121_0100_connectors': m01,
  '20261121_0200_watchlist': m02,
  '20261121_0300_postmortems': m03,
  '20261121_0400_guidance': m04,
  '20261121_0500_installations': m05,
  '20261121_0600_digests': m06,
  '20261122_0700_outbox_active_indexes': m07,
  '20261202_0200_channel_problems': m08,
  '20261202_0300_api': m09,
  '20261202_0600_changes': m10,
  '20261203_0100_rollbacks': m11,
  '20261203_0300_slos': m12,
  '20261203_0400_private_incidents': m13,
  '20261203_0700_followups': m14,
  '20261203_0800_timeline_sync': m15,
};
