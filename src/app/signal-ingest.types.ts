import type { ConnectorKind } from '../signals/normalisers';

/** What ingestion is told about the connector a request came through, and what it answers. */
export interface IngestConnector {
  id: string;
  orgId: string;
  kind: ConnectorKind;
  /** Read with the connector when known (README "Private incidents"); otherwise read in the transaction. */
  privateOnly?: boolean;
}

export interface IngestResult {
  /** Alerts in the request that were taken, repeats included (a repeat is accepted and changes nothing). */
  accepted: number;
  duplicates: number;
  /** Joined an open incident. */
  attached: number;
  /** Opened an incident. */
  declared: number;
  warnings: string[];
  /** Incidents touched, in order of first touch. */
  incidentIds: string[];
}
