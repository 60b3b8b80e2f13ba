import { describeEvent } from '../../incidents/incident.timeline';
import { type ReplayFrame, type ReplaySnapshot, snapshotOf, stateAt } from '../../incidents/incident.replay';
import type { IncidentEvent } from '../../incidents/incident.types';
import type { ConsoleUser } from './console-session';
import { Mrkdwn } from './console-text';
import { Layout, Notice, orgPath } from './console.layout';

export interface ReplayView {
  incidentId: string;
  number: number;
  events: IncidentEvent[];
  frames: ReplayFrame[];
  range: { start: number; end: number };
  /** The instant shown (clamped into the range). */
  at: number;
}

export const SPEEDS = [1, 10, 60, 600] as const;

/** A line per event; an event another feature added that this build cannot describe still shows its type. */
function describe(e: IncidentEvent): string {
  try {
    return describeEvent(e);
  } catch {
    return e.type;
  }
}

/** The JSON the replay script steps through; `<` escaped so no text can close the element. */
export function replayData(v: ReplayView): string {
  const data = { start: v.range.start, end: v.range.end, frames: v.frames };
  return JSON.stringify(data).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

const who = (id: string | undefined) => (id ? `@${id}` : '—');
const iso = (ms: number) => new Date(ms).toISOString();

function Summary({ s }: { s: ReplaySnapshot }) {
  return (
    <dl class="facts" id="replay-summary">
      <dt>Status</dt>
      <dd data-field="status">{s.exists ? s.status : '—'}</dd>
      <dt>Severity</dt>
      <dd data-field="severity">{s.exists ? s.severity : '—'}</dd>
      <dt>Commander</dt>
      <dd data-field="commander">{who(s.roles.commander)}</dd>
      <dt>Comms</dt>
      <dd data-field="comms">{who(s.roles.comms)}</dd>
      <dt>Scribe</dt>
      <dd data-field="scribe">{who(s.roles.scribe)}</dd>
      <dt>Follow-ups</dt>
      <dd data-field="followups">{`${s.followUps.open} open, ${s.followUps.done} done`}</dd>
      <dt>Signals</dt>
      <dd data-field="signals">{`${s.signals.firing} firing of ${s.signals.total}`}</dd>
      <dt>Notes</dt>
      <dd data-field="notes">{String(s.notes)}</dd>
      <dt>Last update</dt>
      <dd data-field="update">{s.lastUpdate ?? '—'}</dd>
    </dl>
  );
}

export function ReplayPage(p: { v: ReplayView; user: ConsoleUser; csrf: string; error?: string }) {
  const { v } = p;
  const state = stateAt(v.events, v.at);
  const happened = v.events.filter((e) => Date.parse(e.occurredAt) <= v.at);
  const current = happened[happened.length - 1]?.seq;
  const seconds = Math.ceil((v.range.end - v.range.start) / 1000);
  const incidentPath = orgPath(p.user.orgId, `incidents/${encodeURIComponent(v.incidentId)}`);
  return (
    <Layout title={`Replay · INC-${v.number}`} user={p.user} active="incidents" csrf={p.csrf} scripts={['replay.js']}>
      <link rel="stylesheet" href="/console/assets/insights.css" />
      {p.error && <Notice kind="error">{p.error}</Notice>}
      <p>
        <a href={incidentPath}>Back to INC-{v.number}</a> · <span>{state.title}</span>
      </p>
      <section class="panel replay-controls" aria-labelledby="controls-h">
        <h2 id="controls-h">Playback</h2>
        <form method="get" action={`${incidentPath}/replay`} class="stack" id="replay-form">
          <label for="replay-scrub">Position (seconds after the declaration, 0–{seconds})</label>
          <input
            type="range"
            id="replay-scrub"
            name="t"
            min="0"
            max={String(seconds)}
            step="1"
            value={String(Math.round((v.at - v.range.start) / 1000))}
          />
          <p>
            At{' '}
            <time id="replay-time" dateTime={iso(v.at)}>
              {iso(v.at)}
            </time>{' '}
            (<output id="replay-offset" for="replay-scrub">{`+${Math.round((v.at - v.range.start) / 1000)} s`}</output>)
          </p>
          <div class="replay-buttons">
            <button type="button" id="replay-play" aria-pressed="false" hidden>
              Play
            </button>
            <label for="replay-speed">Speed</label>
            <select id="replay-speed" name="speed">
              {SPEEDS.map((s) => (
                <option value={String(s)} selected={s === 60}>{`${s}×`}</option>
              ))}
            </select>
            <button type="submit" id="replay-go">
              Show this moment
            </button>
          </div>
          <p>
            Share this moment:{' '}
            <a id="replay-link" href={`${incidentPath}/replay?t=${iso(v.at)}`}>{`?t=${iso(v.at)}`}</a>
          </p>
        </form>
      </section>
      <section class="panel" aria-labelledby="state-h" aria-live="polite">
        <h2 id="state-h">State at this moment</h2>
        <Summary s={snapshotOf(state)} />
      </section>
      <section aria-labelledby="events-h">
        <h2 id="events-h">Events</h2>
        <ol class="timeline replay-events" id="replay-events">
          {v.events.map((e) => {
            const at = Date.parse(e.occurredAt);
            const cls = e.seq === current ? 'is-current' : at <= v.at ? 'is-past' : 'is-future';
            return (
              <li
                data-seq={String(e.seq)}
                data-at={String(at)}
                class={cls}
                aria-current={e.seq === current ? 'step' : undefined}
              >
                <time dateTime={e.occurredAt}>{e.occurredAt.slice(11, 19)}</time> <Mrkdwn text={describe(e)} />
              </li>
            );
          })}
        </ol>
      </section>
      <script type="application/json" id="replay-data" dangerouslySetInnerHTML={{ __html: replayData(v) }} />
    </Layout>
  );
}
