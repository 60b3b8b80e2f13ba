import type { IncidentRow } from '../db/schema';
import { SEVERITIES, STATUSES } from '../../incidents/incident.types';
import type { ConsoleUser } from './console-session';
import { Layout, Notice, orgPath } from './console.layout';
import { when, who } from './console-incident.page';

export const SORTS = { number: 'number', severity: 'severity', status: 'status', updated: 'updated_at', declared: 'created_at' } as const;
export type SortKey = keyof typeof SORTS;

export interface ListQuery {
  status: string[];
  severity: string[];
  service: string;
  since: string;
  until: string;
  q: string;
  sort: SortKey;
  dir: 'asc' | 'desc';
  page: number;
}

export const PAGE_SIZE = 25;

/** The list URL for a query (filters, sort, page), for sort headers and pagination links. */
export function listHref(orgId: string, q: ListQuery, patch: Partial<ListQuery> = {}): string {
  const m = { ...q, ...patch };
  const p = new URLSearchParams();
  for (const s of m.status) p.append('status', s);
  for (const s of m.severity) p.append('severity', s);
  if (m.service) p.set('service', m.service);
  if (m.since) p.set('since', m.since);
  if (m.until) p.set('until', m.until);
  if (m.q) p.set('q', m.q);
  if (m.sort !== 'number' || m.dir !== 'desc') {
    p.set('sort', m.sort);
    p.set('dir', m.dir);
  }
  if (m.page > 1) p.set('page', String(m.page));
  const qs = p.toString();
  return `${orgPath(orgId, 'incidents')}${qs ? `?${qs}` : ''}`;
}

function SortHeader({ label, by, user, q }: { label: string; by: SortKey; user: ConsoleUser; q: ListQuery }) {
  const active = q.sort === by;
  const next = active && q.dir === 'desc' ? 'asc' : 'desc';
  return (
    <th scope="col" aria-sort={active ? (q.dir === 'asc' ? 'ascending' : 'descending') : undefined}>
      <a href={listHref(user.orgId, q, { sort: by, dir: next, page: 1 })}>
        {label}
        {active ? (q.dir === 'asc' ? ' ▲' : ' ▼') : ''}
      </a>
    </th>
  );
}

export function IncidentListPage({ rows, more, user, csrf, q, error, names = {} }: { rows: IncidentRow[]; more: boolean; user: ConsoleUser; csrf: string; q: ListQuery; error?: string; names?: Record<string, string> }) {
  return (
    <Layout title="Incidents" user={user} active="incidents" csrf={csrf} scripts={['console-live.js']}>
      <div id="live-status" class="visually-hidden" aria-live="polite"></div>
      <div data-stream={orgPath(user.orgId, 'events')} hidden></div>
      <form method="get" action={orgPath(user.orgId, 'incidents')} class="filters" role="search" aria-label="Filter incidents">
        <div class="field">
          <label for="f-q">Search</label>
          <input id="f-q" type="search" name="q" value={q.q} placeholder="words in titles, notes, postmortems" />
        </div>
        <fieldset>
          <legend>Status</legend>
          {STATUSES.map((s) => (
            <label class="check">
              <input type="checkbox" name="status" value={s} checked={q.status.includes(s)} /> {s.toLowerCase()}
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>Severity</legend>
          {SEVERITIES.map((s) => (
            <label class="check">
              <input type="checkbox" name="severity" value={s} checked={q.severity.includes(s)} /> {s}
            </label>
          ))}
        </fieldset>
        <div class="field">
          <label for="f-service">Service</label>
          <input id="f-service" name="service" value={q.service} />
        </div>
        <div class="field">
          <label for="f-since">Declared from</label>
          <input id="f-since" type="date" name="since" value={q.since} />
        </div>
        <div class="field">
          <label for="f-until">Declared until</label>
          <input id="f-until" type="date" name="until" value={q.until} />
        </div>
        <input type="hidden" name="sort" value={q.sort} />
        <input type="hidden" name="dir" value={q.dir} />
        <button type="submit">Apply</button>
        <a href={orgPath(user.orgId, 'incidents')}>Clear</a>
      </form>
      {error && <Notice kind="error">{error}</Notice>}
      <div id="incident-list" data-live>
        <table class="incidents">
          <caption class="visually-hidden">Incidents, {q.sort} {q.dir === 'asc' ? 'ascending' : 'descending'}</caption>
          <thead>
            <tr>
              <SortHeader label="#" by="number" user={user} q={q} />
              <th scope="col">Title</th>
              <SortHeader label="Status" by="status" user={user} q={q} />
              <SortHeader label="Severity" by="severity" user={user} q={q} />
              <th scope="col">Service</th>
              <th scope="col">Commander</th>
              <SortHeader label="Declared" by="declared" user={user} q={q} />
              <SortHeader label="Updated" by="updated" user={user} q={q} />
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 && (
              <tr>
                <td colspan={8}>No incidents match.</td>
              </tr>
            )}
            {rows.map((r) => (
              <tr data-incident={r.id}>
                <td>INC-{r.number}</td>
                <td>
                  <a href={orgPath(user.orgId, `incidents/${encodeURIComponent(r.id)}`)}>{r.title}</a>
                </td>
                <td>
                  <span class={`badge status-${r.status.toLowerCase()}`}>{r.status}</span>
                </td>
                <td>
                  <span class={`badge sev-${r.severity.toLowerCase()}`}>{r.severity}</span>
                </td>
                <td>{r.service ?? '—'}</td>
                <td>{who(r.commander_id ?? undefined, names)}</td>
                <td>{when(r.created_at)}</td>
                <td>{when(r.updated_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <nav class="pager" aria-label="Pages">
          {q.page > 1 && <a href={listHref(user.orgId, q, { page: q.page - 1 })} rel="prev">Previous page</a>}
          <span>Page {q.page}</span>
          {more && <a href={listHref(user.orgId, q, { page: q.page + 1 })} rel="next">Next page</a>}
        </nav>
      </div>
    </Layout>
  );
}
