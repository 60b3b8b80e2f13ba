export interface DigestSettingsTable {
  org_id: string;
  channel: string | null;
  cron: string | null;
  timezone: string | null;
  silent_when_empty: number;
  enabled: number;
  updated_by: string;
  updated_at: string;
}

/** One row per job run: the unique (org_id, kind, subject, slot) is what makes a run happen once. */
export interface ScheduleLeasesTable {
  org_id: string;
  kind: string;
  subject: string;
  slot: string;
  claimed_by: string;
  claimed_at: string;
}

export interface ReminderSnoozesTable {
  org_id: string;
  incident_id: string;
  until: string;
  snoozed_by: string;
  snoozed_at: string;
}

export interface DigestTables {
  digest_settings: DigestSettingsTable;
  schedule_leases: ScheduleLeasesTable;
  reminder_snoozes: ReminderSnoozesTable;
}
