/** Incidents whose channel could not be opened; written by the open-channel delivery. */
export interface IncidentChannelProblemsTable {
  org_id: string;
  incident_id: string;
  /** Slack's error code (e.g. `name_taken`, `restricted_action`) and what it means. */
  reason: string;
  /** JSON array of the channel names tried. */
  tried: string;
  at: string;
}

export interface ChannelProblemTables {
  incident_channel_problems: IncidentChannelProblemsTable;
}
