import { userActor } from '../../app/access.service';
import { apiPostmortems } from '../../app/api-knowledge.service';
import { listEnvironments, listRecentChanges } from '../../app/changes.service';
import type { AppDeps } from '../../app/deps';
import { listWatchlist } from '../../app/watchlist.service';
import { canSeeIncident } from '../../incidents/incident.permissions';
import type { ConsoleApp } from './console.routes';
import { type ConsoleUser, csrfToken } from './console-session';
import { Layout, orgPath } from './console.layout';
import { when } from './console-incident.page';
import { Markdown, safeHref } from './console-text';
import { HealthTable, healthFor } from './console-health';

const actorOf = (u: ConsoleUser) => userActor(u.userId, u.role);

/** Watchlist, deployments and postmortems: read-only pages over the same services as Slack and the API. */
export function mountOpsRoutes(app: ConsoleApp, deps: AppDeps): void {
  app.get('/orgs/:org/watchlist', async (c) => {
    const user = c.get('consoleUser');
    const v = await listWatchlist({ db: deps.db, defaults: deps.config.digest, now: deps.now }, { orgId: user.orgId, actor: actorOf(user), limit: 100 });
    const grid = await healthFor(deps, user);
    return c.html(
      <Layout title="Watchlist & health" user={user} active="watchlist" csrf={csrfToken(c)}>
        <HealthTable rows={grid.rows} user={user} caption="Service health (catalog and SLOs)" />
        {grid.sloProblems > 0 && <p>{grid.sloProblems} SLO file problem(s): see <code>/incident health</code> or the API’s <code>GET /slos</code>.</p>}
        <h2>Watchlist</h2>
        <p>
          {v.totals.breached} breached, {v.totals.atRisk} at risk.
        </p>
        <table class="grid">
          <caption>Services at risk or breached, worst first</caption>
          <thead>
            <tr>
              <th scope="col">Service</th>
              <th scope="col">Environment</th>
              <th scope="col">Status</th>
              <th scope="col">Risk</th>
              <th scope="col">Alert</th>
              <th scope="col">Since</th>
              <th scope="col">Incident</th>
            </tr>
          </thead>
          <tbody>
            {v.entries.length === 0 && (
              <tr>
                <td colspan={7}>Nothing at risk.</td>
              </tr>
            )}
            {v.entries.map((e) => (
              <tr>
                <td>{e.service}</td>
                <td>{e.environment}</td>
                <td>
                  <span class={`badge risk-${e.status.toLowerCase()}`}>{e.status.replace('_', ' ')}</span>
                </td>
                <td>{e.riskScore}</td>
                <td>{e.title}</td>
                <td>{when(e.firstDetectedAt)}</td>
                <td>{e.incident ? <a href={orgPath(user.orgId, `incidents/${encodeURIComponent(e.incident.id)}`)}>INC-{e.incident.number}</a> : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Layout>,
    );
  });

  app.get('/orgs/:org/deployments', async (c) => {
    const user = c.get('consoleUser');
    const input = { orgId: user.orgId, actor: actorOf(user) };
    const [envs, recent] = await Promise.all([listEnvironments(deps, input), listRecentChanges(deps, { ...input, limit: 50 })]);
    return c.html(
      <Layout title="Deployments & environments" user={user} active="deployments" csrf={csrfToken(c)}>
        <table class="grid">
          <caption>What runs where (each environment’s last successful deployment)</caption>
          <thead>
            <tr>
              <th scope="col">Service</th>
              <th scope="col">Environment</th>
              <th scope="col">Version</th>
              <th scope="col">Deployed</th>
              <th scope="col">Latest attempt</th>
            </tr>
          </thead>
          <tbody>
            {envs.length === 0 && (
              <tr>
                <td colspan={5}>No deployments recorded yet (connect GitHub, GitLab or Argo CD: README “Changes”).</td>
              </tr>
            )}
            {envs.map((e) => (
              <tr>
                <td>{e.service}</td>
                <td>{e.environment}</td>
                <td>{safeHref(e.url) ? <a href={safeHref(e.url)} rel="noopener noreferrer">{e.version}</a> : e.version}</td>
                <td>
                  {when(e.deployedAt)} by {e.actor}
                </td>
                <td>{e.latest ? `${e.latest.version} (${e.latest.status}, ${when(e.latest.at)})` : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <table class="grid">
          <caption>Recent deployments</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Service</th>
              <th scope="col">Environment</th>
              <th scope="col">Version</th>
              <th scope="col">Status</th>
              <th scope="col">By</th>
              <th scope="col">Source</th>
            </tr>
          </thead>
          <tbody>
            {recent.map((d) => (
              <tr>
                <td>{when(d.startedAt)}</td>
                <td>{d.service}</td>
                <td>{d.environment}</td>
                <td>{safeHref(d.url) ? <a href={safeHref(d.url)} rel="noopener noreferrer">{d.version}</a> : d.version}</td>
                <td>{d.status}</td>
                <td>{d.actor}</td>
                <td>{d.source}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Layout>,
    );
  });

  app.get('/orgs/:org/postmortems', async (c) => {
    const user = c.get('consoleUser');
    const actor = actorOf(user);
    const all = await apiPostmortems(deps, { orgId: user.orgId, actor }, 50);
    const shown = [];
    for (const p of all) if (canSeeIncident(actor, await deps.incidents.load(user.orgId, p.incidentId)).allowed) shown.push(p);
    const open = c.req.query('incident');
    return c.html(
      <Layout title="Postmortems" user={user} active="postmortems" csrf={csrfToken(c)}>
        {shown.length === 0 && <p>No postmortems yet. Draft one with <code>/incident postmortem</code> in an incident channel.</p>}
        {shown.map((p) => {
          const pr = p.prUrl ? safeHref(p.prUrl) : undefined;
          return (
            <article class="panel postmortem" aria-labelledby={`pm-${p.incidentId}`}>
              <h2 id={`pm-${p.incidentId}`}>
                <a href={orgPath(user.orgId, `incidents/${encodeURIComponent(p.incidentId)}`)}>INC-{p.incidentNumber}</a>: {p.title}
              </h2>
              <p>
                <span class={`badge pm-${p.prUrl ? 'pr' : 'draft'}`}>{p.prUrl ? 'PR open' : 'draft'}</span> v{p.version} ({p.generator}
                {p.model ? `, ${p.model}` : ''}), {when(p.createdAt)}
                {pr && [' · ', <a href={pr} rel="noopener noreferrer">pull request</a>]}
              </p>
              <details open={open === p.incidentId}>
                <summary>Read the postmortem</summary>
                <Markdown source={p.markdown} />
              </details>
            </article>
          );
        })}
      </Layout>,
    );
  });
}
