import { SEVERITIES } from '../../incidents/incident.types';
import {
  type ChartTable,
  responseChart,
  responseTable,
  weeklyChart,
  weeklyTable,
} from '../../insights/insights.charts';
import { formatDuration, formatRate, formatStats } from '../../insights/insights.format';
import { INSIGHT_WINDOWS, type Insights, type InsightWindow } from '../../insights/insights.types';
import { formatTarget } from '../../insights/sla-targets';
import type { ConsoleUser } from './console-session';
import { Layout, Notice, orgPath } from './console.layout';

function DataTable({ table, id }: { table: ChartTable; id: string }) {
  return (
    <table id={id}>
      <caption>{table.caption}</caption>
      <thead>
        <tr>
          {table.columns.map((c) => (
            <th scope="col">{c}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {table.rows.map((r) => (
          <tr>{r.map((cell, i) => (i === 0 ? <th scope="row">{cell}</th> : <td>{cell}</td>))}</tr>
        ))}
      </tbody>
    </table>
  );
}

/** A chart (server-built SVG: numbers and fixed labels only, escaped in insights.charts.ts) with its table. */
function Chart({ svg, table, id }: { svg: string; table: ChartTable; id: string }) {
  return (
    <figure class="chart" id={`${id}-figure`}>
      <div class="chart-svg" dangerouslySetInnerHTML={{ __html: svg }} />
      <figcaption>
        <DataTable table={table} id={`${id}-table`} />
      </figcaption>
    </figure>
  );
}

function WindowPicker({ orgId, current }: { orgId: string; current: InsightWindow }) {
  return (
    <nav aria-label="Window" class="window-picker">
      <ul class="plain">
        {INSIGHT_WINDOWS.map((w) => (
          <li>
            <a href={`${orgPath(orgId, 'insights')}?window=${w}`} aria-current={w === current ? 'page' : undefined}>
              Last {w}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function InsightsPage(p: { r: Insights; user: ConsoleUser; csrf: string; error?: string }) {
  const { r } = p;
  return (
    <Layout title={`Insights · last ${r.window}`} user={p.user} active="insights" csrf={p.csrf}>
      <link rel="stylesheet" href="/console/assets/insights.css" />
      {p.error && <Notice kind="error">{p.error}</Notice>}
      <WindowPicker orgId={p.user.orgId} current={r.window} />
      <section class="panel" aria-labelledby="totals-h">
        <h2 id="totals-h">Totals</h2>
        <dl class="facts" id="insights-totals">
          <dt>Incidents</dt>
          <dd data-metric="incidents">
            {r.totals.incidents} ({r.totals.open} open, {r.totals.resolved} resolved; {r.totals.cancelled} cancelled)
          </dd>
          <dt>MTTA</dt>
          <dd data-metric="mtta">{formatStats(r.totals.mtta)}</dd>
          <dt>MTTM</dt>
          <dd data-metric="mttm">{formatStats(r.totals.mttm)}</dd>
          <dt>MTTR</dt>
          <dd data-metric="mttr">{formatStats(r.totals.mttr)}</dd>
          <dt>SLA breach rate</dt>
          <dd data-metric="sla">{formatRate(r.sla)}</dd>
          <dt>Postmortem completion</dt>
          <dd data-metric="postmortems">{formatRate(r.postmortems)} of resolved SEV1/SEV2 have a PR</dd>
          <dt>Follow-up completion</dt>
          <dd data-metric="followups">{formatRate(r.followUps)}</dd>
          <dt>Time to rollback</dt>
          <dd data-metric="rollbacks">
            {r.rollbacks.count === 0
              ? 'no rollbacks'
              : `${formatStats(r.rollbacks.requestToComplete)} requested → completed`}
          </dd>
        </dl>
        {r.hiddenPrivate > 0 && (
          <p>{r.hiddenPrivate} private incident(s) you cannot see are counted in these totals only.</p>
        )}
      </section>
      <section aria-labelledby="weekly-h">
        <h2 id="weekly-h">Incidents per week</h2>
        <Chart svg={weeklyChart(r)} table={weeklyTable(r)} id="weekly" />
      </section>
      <section aria-labelledby="response-h">
        <h2 id="response-h">Response times by severity</h2>
        <Chart svg={responseChart(r)} table={responseTable(r)} id="response" />
      </section>
      <section aria-labelledby="service-h">
        <h2 id="service-h">By service</h2>
        <DataTable
          id="service-table"
          table={{
            caption: `Median / p90 per service, last ${r.window}`,
            columns: ['Service', 'Incidents', 'MTTA', 'MTTM', 'MTTR'],
            rows: r.byService.map((s) => [
              s.service,
              String(s.incidents),
              `${formatDuration(s.mtta.medianMs)} / ${formatDuration(s.mtta.p90Ms)}`,
              `${formatDuration(s.mttm.medianMs)} / ${formatDuration(s.mttm.p90Ms)}`,
              `${formatDuration(s.mttr.medianMs)} / ${formatDuration(s.mttr.p90Ms)}`,
            ]),
          }}
        />
      </section>
      <section aria-labelledby="sla-h">
        <h2 id="sla-h">SLA</h2>
        <DataTable
          id="sla-table"
          table={{
            caption: 'Breaches per severity: acknowledged or resolved later than the target (or not yet, and past it)',
            columns: ['Severity', 'Acknowledge within', 'Resolve within', 'Breached'],
            rows: SEVERITIES.map((s) => {
              const row = r.sla.bySeverity.find((x) => x.severity === s)!;
              return [
                s,
                formatTarget(r.sla.targets[s].ackMs),
                formatTarget(r.sla.targets[s].resolveMs),
                formatRate(row),
              ];
            }),
          }}
        />
        <p>
          MTTA is declaration → first action by a person (not the bot, a connector or an API token); MTTM → mitigated
          (or resolved); MTTR → resolved; cancelled incidents are left out (docs/insights.md). Window{' '}
          {r.from.slice(0, 16).replace('T', ' ')} → {r.to.slice(0, 16).replace('T', ' ')} UTC.
        </p>
      </section>
    </Layout>
  );
}
