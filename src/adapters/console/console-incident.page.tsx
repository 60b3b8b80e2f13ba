import type { StoredChange } from '../../adapters/db/changes.repo';
import type { GridSlo } from '../../slos/health-grid';
import type { SloViolation } from '../../app/slo-violations.service';
import { canTransition } from '../../incidents/incident.decider';
import {
  canAddNote,
  canChangeSeverity,
  canChangeStatus,
  canCompleteFollowUp,
} from '../../incidents/incident.permissions';
import {
  type Actor,
  type AttachedSignal,
  INCIDENT_ROLES,
  type IncidentState,
  MAX_TEXT,
  SEVERITIES,
  STATUSES,
} from '../../incidents/incident.types';
import type { ConsoleUser } from './console-session';
import { Layout, Notice, orgPath } from './console.layout';
import { Mrkdwn, safeHref } from './console-text';

export interface TimelineRow {
  seq: number;
  type: string;
  actor: string;
  occurred_at: string;
  text: string;
}

export interface IncidentView {
  state: IncidentState;
  timeline: TimelineRow[];
  changes: StoredChange[];
  /** SLOs of the incident's service that are at risk or breached now. */
  slos: GridSlo[];
  /** The incident's own SLO violations (its SLO page signals) with the budget each burned. */
  violations: SloViolation[];
  /** Slack display names of the people on the page (ids stay when Slack does not answer). */
  names: Record<string, string>;
}

export interface FormEcho {
  error?: string;
  /** The form that failed and what was typed, so nothing is lost. */
  form?: string;
  values?: Record<string, string>;
  done?: string;
}

export const when = (iso: string | undefined) => (iso ? `${iso.slice(0, 19).replace('T', ' ')} UTC` : '—');
export const who = (id: string | undefined, names: Record<string, string> = {}) =>
  !id ? '—' : /^[UW][A-Z0-9]+$/.test(id) ? `@${names[id] ?? id}` : id;
export const incidentRef = (s: Pick<IncidentState, 'number'>) => `INC-${s.number}`;

/** Why the signal joined the incident (`signal.correlation`, recorded on SIGNAL_ATTACHED), in words. */
function correlationText(s: AttachedSignal): string[] {
  const c = s.correlation;
  if (!c) return s.correlationKey ? [`correlation key ${s.correlationKey}`] : [];
  const lines = [`${c.rule.replace('_', ' ')}: ${c.reason}`];
  if (c.evidence.path && c.evidence.path.length > 1) lines.push(`dependency path ${c.evidence.path.join(' → ')}`);
  for (const r of c.evidence.reasons ?? []) if (!c.reason.includes(r)) lines.push(r);
  return lines;
}

const DONE: Record<string, string> = {
  note: 'Note added.',
  status: 'Status changed.',
  severity: 'Severity changed.',
  action: 'Follow-up updated.',
};

export function IncidentPage({ view, user, csrf, formKey, echo }: { view: IncidentView; user: ConsoleUser; csrf: string; formKey: string; echo: FormEcho }) {
  const s = view.state;
  const n = view.names;
  const actor: Actor = { kind: 'user', id: user.userId, role: user.role };
  const base = orgPath(user.orgId, `incidents/${encodeURIComponent(s.id)}`);
  const hidden = [<input type="hidden" name="_csrf" value={csrf} />, <input type="hidden" name="_key" value={formKey} />];
  const statuses = STATUSES.filter((to) => to !== s.status && canTransition(s.status, to) && canChangeStatus(actor, s, to).allowed);
  const echoed = (form: string, k: string) => (echo.form === form ? (echo.values?.[k] ?? '') : '');
  return (
    <Layout title={`${incidentRef(s)}: ${s.title}`} user={user} active="incidents" csrf={csrf} scripts={['console-live.js']}>
      <div id="live-status" class="visually-hidden" aria-live="polite"></div>
      <div data-stream={`${orgPath(user.orgId, 'events')}?incident=${encodeURIComponent(s.id)}`} hidden></div>
      {echo.error && <Notice kind="error">{echo.error}</Notice>}
      {echo.done && DONE[echo.done] && <Notice kind="info">{DONE[echo.done]}</Notice>}
      <p class="crumbs">
        <a href={orgPath(user.orgId, 'incidents')}>All incidents</a> · <a href={`${base}/replay`}>Replay the timeline</a>
      </p>
      <div class="incident-top">
      <section id="summary" data-live aria-labelledby="summary-h" class="panel">
        <h2 id="summary-h">Summary</h2>
        <dl class="facts">
          <dt>Status</dt>
          <dd>
            <span class={`badge status-${s.status.toLowerCase()}`} data-field="status">{s.status}</span>
          </dd>
          <dt>Severity</dt>
          <dd>
            <span class={`badge sev-${s.severity.toLowerCase()}`} data-field="severity">{s.severity}</span>
          </dd>
          <dt>Service</dt>
          <dd>{[s.service, s.environment].filter(Boolean).join(' / ') || '—'}</dd>
          <dt>Declared</dt>
          <dd>
            {when(s.createdAt)} by {who(s.createdBy, n)}
          </dd>
          {s.mitigatedAt && [<dt>Mitigated</dt>, <dd>{when(s.mitigatedAt)}</dd>]}
          {s.resolvedAt && [<dt>Resolved</dt>, <dd>{when(s.resolvedAt)}</dd>]}
          <dt>Channel</dt>
          <dd>{s.channelName ? `#${s.channelName}` : '—'}</dd>
          {s.visibility === 'private' && [<dt>Visibility</dt>, <dd>Private</dd>]}
          {s.lastUpdateText && [<dt>Last update</dt>, <dd><Mrkdwn text={s.lastUpdateText} /></dd>]}
        </dl>
        {s.description && (
          <p class="description">
            <Mrkdwn text={s.description} />
          </p>
        )}
        <h3>Roles</h3>
        <dl class="facts roles">
          {INCIDENT_ROLES.map((r) => [<dt>{r}</dt>, <dd data-role={r}>{who(s.roles[r], n)}</dd>])}
        </dl>
      </section>

      <section class="panel actions-panel" aria-labelledby="act-h">
        <h2 id="act-h">Act</h2>
        {canAddNote(actor).allowed ? (
          <form method="post" action={`${base}/note`} class="stack">
            {hidden}
            <label for="note-text">Add a note to the timeline</label>
            <textarea id="note-text" name="text" rows={3} maxlength={MAX_TEXT} required>{echoed('note', 'text')}</textarea>
            <button type="submit">Add note</button>
          </form>
        ) : (
          <p>Your role ({user.role}) can read this incident but not act on it.</p>
        )}
        {statuses.length > 0 && (
          <form method="post" action={`${base}/status`} class="stack">
            {hidden}
            <label for="status-to">Change status</label>
            <select id="status-to" name="status">
              {statuses.map((to) => (
                <option value={to} selected={echoed('status', 'status') === to}>{to.toLowerCase()}</option>
              ))}
            </select>
            <label for="status-msg">Message (optional)</label>
            <input id="status-msg" name="message" maxlength={MAX_TEXT} value={echoed('status', 'message')} />
            <button type="submit">Change status</button>
          </form>
        )}
        {canChangeSeverity(actor, s).allowed && (
          <form method="post" action={`${base}/severity`} class="stack">
            {hidden}
            <label for="sev-to">Change severity</label>
            <select id="sev-to" name="severity">
              {SEVERITIES.map((v) => (
                <option value={v} selected={v === s.severity}>{v}</option>
              ))}
            </select>
            <button type="submit">Change severity</button>
          </form>
        )}
      </section>
      </div>

      <section id="signals" data-live class="panel" aria-labelledby="sig-h">
        <h2 id="sig-h">Signals ({s.signals.length})</h2>
        {s.signals.length === 0 ? (
          <p>No alerts attached.</p>
        ) : (
          <ul class="plain">
            {s.signals.map((g) => (
              <li>
                <span class={`badge risk-${g.risk.toLowerCase()}`}>{g.risk.replace('_', ' ')}</span> {g.title} — {g.service}/{g.environment} ({g.source}, {g.status})
                {correlationText(g).length > 0 && <span class="why"> Correlated: {correlationText(g).join('; ')}</span>}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section id="changes" data-live class="panel" aria-labelledby="chg-h">
        <h2 id="chg-h">Changes</h2>
        {view.changes.length === 0 ? (
          <p>{s.service ? `No deployments of ${s.service} around this incident.` : 'No service set, so no deployments to show.'}</p>
        ) : (
          <ul class="plain">
            {view.changes.map((c) => {
              const href = safeHref(c.url);
              return (
                <li>
                  {href ? <a href={href} rel="noopener noreferrer">{c.version}</a> : c.version} to {c.service}/{c.environment} — {c.status} at {when(c.finishedAt ?? c.statusAt)} by {c.actor}
                </li>
              );
            })}
          </ul>
        )}
      </section>

      {(view.slos.length > 0 || view.violations.length > 0) && (
        <section id="slos" data-live class="panel" aria-labelledby="slo-h">
          <h2 id="slo-h">SLO violations</h2>
          {view.violations.length > 0 && <ul class="plain">
            {view.violations.map((v) => (
              <li>
                {v.slo} ({v.service}): from {when(v.startedAt)} {v.endedAt ? `to ${when(v.endedAt)}` : '(ongoing)'}
                {v.budgetBurned !== undefined && `, ${(v.budgetBurned * 100).toFixed(1)}% of the ${v.window ? `${v.window} ` : ''}error budget burned`}
              </li>
            ))}
          </ul>}
          {view.slos.length > 0 && <h3>{s.service} now</h3>}
          <ul class="plain">
            {view.slos.map((o) => (
              <li>
                <span class={`badge health-${o.status}`}>{o.status.replace('_', ' ')}</span> {o.name}: {o.attainment === undefined ? '—' : `${(o.attainment * 100).toFixed(2)}%`} of {(o.target * 100).toFixed(2)}% over {o.window}
                {o.budgetRemaining !== undefined && `, ${Math.round(o.budgetRemaining * 100)}% budget left`}
                {o.burnRate !== undefined && `, burning ${o.burnRate.toFixed(1)}×`}
              </li>
            ))}
          </ul>
        </section>
      )}

      <section id="followups" data-live class="panel" aria-labelledby="fu-h">
        <h2 id="fu-h">Follow-ups ({s.actions.filter((a) => !a.done).length} open)</h2>
        {s.actions.length === 0 ? (
          <p>No follow-ups yet.</p>
        ) : (
          <ul class="plain">
            {s.actions.map((a) => {
              const issue = safeHref(a.issue?.url ?? '');
              return (
                <li class={a.done ? 'done' : ''}>
                  {a.done ? '☑ ' : '☐ '}
                  <Mrkdwn text={a.text} names={n} />
                  {a.owner && ` — ${who(a.owner, n)}`}
                  {issue && [' ', <a href={issue} rel="noopener noreferrer">GitHub issue</a>]}
                  {canCompleteFollowUp(actor).allowed && (
                    <form method="post" action={`${base}/actions/${encodeURIComponent(a.id)}`} class="inline">
                      {hidden}
                      <input type="hidden" name="done" value={a.done ? '0' : '1'} />
                      <button type="submit">{a.done ? 'Reopen' : 'Mark done'}</button>
                    </form>
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </section>

      <section id="timeline" data-live class="panel" aria-labelledby="tl-h">
        <h2 id="tl-h">Timeline</h2>
        <ol class="timeline">
          {view.timeline.map((e) => (
            <li data-seq={e.seq} data-type={e.type}>
              <time datetime={e.occurred_at}>{when(e.occurred_at)}</time> <Mrkdwn text={e.text} names={n} />
            </li>
          ))}
        </ol>
      </section>
    </Layout>
  );
}
