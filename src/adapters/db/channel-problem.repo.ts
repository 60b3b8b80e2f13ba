import type { DB } from './schema';

export interface ChannelProblem {
  incidentId: string;
  reason: string;
  tried: string[];
  at: string;
}

/** Record (or replace) why an incident has no channel. */
export async function recordChannelProblem(db: DB, p: { orgId: string } & ChannelProblem): Promise<void> {
  const row = { reason: p.reason, tried: JSON.stringify(p.tried), at: p.at };
  await db
    .insertInto('incident_channel_problems')
    .values({ org_id: p.orgId, incident_id: p.incidentId, ...row })
    .onConflict((oc) => oc.columns(['org_id', 'incident_id']).doUpdateSet(row))
    .execute();
}

export async function clearChannelProblem(db: DB, orgId: string, incidentId: string): Promise<void> {
  await db
    .deleteFrom('incident_channel_problems')
    .where('org_id', '=', orgId)
    .where('incident_id', '=', incidentId)
    .execute();
}

/** Problems of these incidents, by incident id. */
export async function channelProblemsOf(
  db: DB,
  orgId: string,
  incidentIds: string[],
): Promise<Map<string, ChannelProblem>> {
  if (!incidentIds.length) return new Map();
  const rows = await db
    .selectFrom('incident_channel_problems')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('incident_id', 'in', incidentIds)
    .execute();
  return new Map(
    rows.map((r) => [
      r.incident_id,
      { incidentId: r.incident_id, reason: r.reason, tried: JSON.parse(r.tried) as string[], at: r.at },
    ]),
  );
}
