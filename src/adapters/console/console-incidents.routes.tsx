import { randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { userActor } from '../../app/access.service';
import {
  type ApiCaller,
  apiAddNote,
  apiChangeSeverity,
  apiChangeStatus,
  apiGetIncident,
  apiListIncidents,
  apiSetActionDone,
} from '../../app/api-incidents.service';
import { changesBefore, SUSPECT_WINDOW_MS } from '../../app/changes.service';
import type { AppDeps } from '../../app/deps';
import { canSeeIncident } from '../../incidents/incident.permissions';
import { type IncidentStatus, type Severity, SEVERITIES, STATUSES } from '../../incidents/incident.types';
import { DomainError, isDomainError } from '../../shared/domain-error';
import { DOMAIN_STATUS } from '../http/api/api.problem';
import type { IncidentRow } from '../db/schema';
import type { ConsoleApp } from './console.routes';
import { type ConsoleEnv, type ConsoleUser, csrfToken } from './console-session';
import { Layout, Notice, orgPath } from './console.layout';
import { IncidentListPage, type ListQuery, PAGE_SIZE, SORTS, type SortKey } from './console-incident-list.page';
import { type FormEcho, IncidentPage, type IncidentView } from './console-incident.page';
import { healthFor } from './console-health';

type C = Context<ConsoleEnv>;

/** The console user as the shared API use cases' caller; their audit of private views names the console. */
export const callerFor = (user: ConsoleUser, idempotencyKey?: string): ApiCaller => ({
  orgId: user.orgId,
  actor: userActor(user.userId, user.role),
  idempotencyKey,
  surface: 'console',
});

const notFound = () => new DomainError('not_found', 'No such incident in this workspace.');
const DAY = /^\d{4}-\d{2}-\d{2}$/;

function parseList(c: C): { q: ListQuery; error?: string } {
  const all = (k: string) => c.req.queries(k) ?? [];
  const one = (k: string) => (c.req.query(k) ?? '').trim();
  const sort = (one('sort') in SORTS ? one('sort') : 'number') as SortKey;
  const page = Math.max(1, Math.min(10_000, Math.trunc(Number(one('page')) || 1)));
  const q: ListQuery = {
    status: all('status').filter((s) => (STATUSES as readonly string[]).includes(s)),
    severity: all('severity').filter((s) => (SEVERITIES as readonly string[]).includes(s)),
    service: one('service').slice(0, 100),
    since: one('since'),
    until: one('until'),
    q: one('q').slice(0, 200),
    sort,
    dir: one('dir') === 'asc' ? 'asc' : 'desc',
    page,
  };
  const bad = [q.since && !DAY.test(q.since) ? 'from' : '', q.until && !DAY.test(q.until) ? 'until' : ''].filter(Boolean);
  if (bad.length) {
    const error = `The “declared ${bad.join('” and “')}” date must look like 2026-12-01; it was ignored.`;
    if (bad.includes('from')) q.since = '';
    if (bad.includes('until')) q.until = '';
    return { q, error };
  }
  return { q };
}

/**
 * The list service already leaves out private incidents the viewer may not see; a private row is checked once
 * more against its full state here, so a page can never show one by mistake.
 */
async function visibleRows(deps: AppDeps, user: ConsoleUser, rows: IncidentRow[]): Promise<IncidentRow[]> {
  const actor = userActor(user.userId, user.role);
  const out: IncidentRow[] = [];
  for (const r of rows) {
    const isPrivate = (r as IncidentRow & { visibility?: string | null }).visibility === 'private';
    if (!isPrivate || canSeeIncident(actor, await deps.incidents.load(user.orgId, r.id)).allowed) out.push(r);
  }
  return out;
}

/** The incident through the API's read use case, which also audits a view of a private one (surface `console`). */
async function loadView(deps: AppDeps, user: ConsoleUser, incidentId: string): Promise<IncidentView> {
  const caller = callerFor(user);
  const { state, timeline, sloViolations } = await apiGetIncident(deps, caller, incidentId);
  if (!canSeeIncident(caller.actor, state).allowed) throw notFound();
  let changes: IncidentView['changes'] = [];
  if (state.service) {
    const before = state.resolvedAt ?? state.cancelledAt ?? deps.now().toISOString();
    const windowMs = Date.parse(before) - Date.parse(state.createdAt) + SUSPECT_WINDOW_MS;
    changes = await changesBefore(deps, { orgId: user.orgId, service: state.service, before, windowMs });
  }
  const ids = new Set<string>([state.createdBy, ...Object.values(state.roles), ...state.actions.map((a) => a.owner ?? '')]);
  for (const e of timeline) {
    ids.add(e.actor);
    for (const m of e.text.matchAll(/<@([UW][A-Z0-9]+)(\|[^>]*)?>/g)) ids.add(m[1]);
  }
  // The service's SLOs that are burning or breached (the health grid's row), when SLOs are configured.
  const row = state.service ? (await healthFor(deps, user)).rows.find((r) => r.service === state.service!.trim().toLowerCase()) : undefined;
  const slos = (row?.slos ?? []).filter((s) => s.status === 'breached' || s.status === 'at_risk');
  return { state, timeline, changes, slos, violations: sloViolations, names: await namesOf(deps, user.orgId, [...ids]) };
}

/** Display names through the workspace's Slack directory (cached there); ids when Slack is not connected. */
export async function namesOf(deps: AppDeps, orgId: string, ids: string[]): Promise<Record<string, string>> {
  const people = ids.filter((id) => /^[UW][A-Z0-9]+$/.test(id)).slice(0, 60);
  if (people.length === 0 || !deps.postmortems?.chatPortsFor) return {};
  try {
    return await (await deps.postmortems.chatPortsFor(orgId)).users.names(orgId, people);
  } catch {
    return {};
  }
}

function ErrorPage({ user, csrf, status, message }: { user: ConsoleUser; csrf: string; status: number; message: string }) {
  return (
    <Layout title={status === 404 ? 'Not found' : 'Something went wrong'} user={user} active="incidents" csrf={csrf}>
      <Notice kind="error">{message}</Notice>
      <p>
        <a href={orgPath(user.orgId, 'incidents')}>Back to incidents</a>
      </p>
    </Layout>
  );
}

const statusOf = (e: DomainError) => DOMAIN_STATUS[e.code] as 400 | 403 | 404 | 409 | 422 | 503;
const newKey = () => randomBytes(12).toString('base64url');

async function renderIncident(deps: AppDeps, c: C, echo: FormEcho, status: 200 | 400 | 403 | 404 | 409 | 422 | 503 = 200) {
  const user = c.get('consoleUser');
  const csrf = csrfToken(c);
  try {
    // Every render of a private incident is audited, a live refresh and a re-shown form too.
    const view = await loadView(deps, user, c.req.param('id')!);
    return c.html(<IncidentPage view={view} user={user} csrf={csrf} formKey={newKey()} echo={echo} />, status);
  } catch (e) {
    if (!isDomainError(e)) throw e;
    return c.html(<ErrorPage user={user} csrf={csrf} status={statusOf(e)} message={e.code === 'not_found' ? notFound().reason : e.reason} />, statusOf(e));
  }
}

type Act = (deps: AppDeps, caller: ApiCaller, incidentId: string, form: Record<string, string>, c: C) => Promise<unknown>;

/** One POST action: visibility first, then the shared API use case; a refusal re-renders with what was typed. */
function action(deps: AppDeps, name: string, act: Act) {
  return async (c: C) => {
    const user = c.get('consoleUser');
    const id = c.req.param('id')!;
    const raw = await c.req.parseBody();
    const form = Object.fromEntries(Object.entries(raw).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const key = /^[\w-]{8,64}$/.test(form._key ?? '') ? `console:${user.userId}:${form._key}` : undefined;
    const caller = callerFor(user, key);
    try {
      const state = await deps.incidents.load(user.orgId, id);
      if (!state.exists || state.orgId !== user.orgId || !canSeeIncident(caller.actor, state).allowed) throw notFound();
      await act(deps, caller, id, form, c);
    } catch (e) {
      if (!isDomainError(e)) throw e;
      return renderIncident(deps, c, { error: e.reason, form: name, values: form }, statusOf(e));
    }
    return c.redirect(`${orgPath(user.orgId, `incidents/${encodeURIComponent(id)}`)}?done=${name}`, 303);
  };
}

const required = (v: string | undefined, what: string) => {
  const t = (v ?? '').trim();
  if (!t) throw new DomainError('invalid_input', `${what} is empty; type something first.`);
  return t;
};

export function mountIncidentRoutes(app: ConsoleApp, deps: AppDeps): void {
  app.get('/orgs/:org/incidents', async (c) => {
    const user = c.get('consoleUser');
    const { q, error } = parseList(c);
    const until = q.until ? new Date(Date.parse(`${q.until}T00:00:00Z`) + 86_400_000).toISOString() : undefined;
    const page = await apiListIncidents(deps, callerFor(user), {
      status: q.status.length ? q.status : undefined,
      severity: q.severity.length ? q.severity : undefined,
      service: q.service || undefined,
      since: q.since ? `${q.since}T00:00:00.000Z` : undefined,
      until,
      q: q.q || undefined,
      limit: PAGE_SIZE,
      sort: { by: SORTS[q.sort], dir: q.dir },
      offset: (q.page - 1) * PAGE_SIZE,
    });
    const rows = await visibleRows(deps, user, page.rows);
    const names = await namesOf(deps, user.orgId, rows.map((r) => r.commander_id ?? ''));
    return c.html(<IncidentListPage rows={rows} more={page.more} user={user} csrf={csrfToken(c)} q={q} error={error} names={names} />);
  });

  app.get('/orgs/:org/incidents/:id', (c) => renderIncident(deps, c, { done: c.req.query('done') }));

  app.post(
    '/orgs/:org/incidents/:id/note',
    action(deps, 'note', (d, caller, id, f) => apiAddNote(d, caller, id, required(f.text, 'The note'))),
  );
  app.post(
    '/orgs/:org/incidents/:id/status',
    action(deps, 'status', (d, caller, id, f) => {
      if (!(STATUSES as readonly string[]).includes(f.status ?? '')) throw new DomainError('invalid_input', `“${f.status ?? ''}” is not a status.`);
      return apiChangeStatus(d, caller, id, f.status as IncidentStatus, f.message?.trim() || undefined);
    }),
  );
  app.post(
    '/orgs/:org/incidents/:id/severity',
    action(deps, 'severity', (d, caller, id, f) => {
      if (!(SEVERITIES as readonly string[]).includes(f.severity ?? '')) throw new DomainError('invalid_input', `“${f.severity ?? ''}” is not a severity.`);
      return apiChangeSeverity(d, caller, id, f.severity as Severity);
    }),
  );
  app.post(
    '/orgs/:org/incidents/:id/actions/:actionId',
    action(deps, 'action', (d, caller, id, f, c) => apiSetActionDone(d, caller, id, c.req.param('actionId')!, f.done !== '0')),
  );
}
