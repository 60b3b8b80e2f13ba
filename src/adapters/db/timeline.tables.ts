/**
 * Columns migration 20261203_0800 adds to the core `incident_timeline` (joined with its core type by the
 * `&` in schema.ts), and the per-workspace thread-capture switch.
 */
export interface TimelineSyncColumns {
  /** When the captured message was last edited in Slack (NOTE_EDITED). */
  edited_at: string | null;
  /** When it was deleted in Slack (NOTE_DELETED); the row stays, marked. */
  deleted_at: string | null;
  /** The entry's corrected time (TIMELINE_TIME_CORRECTED); `occurred_at` keeps when it was recorded. */
  corrected_at: string | null;
  /** JSON array of `{name, permalink, mimetype?}`: the message's files and images, as links. */
  files: string | null;
}

export interface TimelineSettingsTable {
  org_id: string;
  /** 1 = replies in the pinned summary's thread join the timeline; 0 = not. */
  thread_capture: number;
  updated_by: string;
  updated_at: string;
}

export interface TimelineTables {
  incident_timeline: TimelineSyncColumns;
  timeline_settings: TimelineSettingsTable;
}
