import type { CatchupResult } from '../../../app/catchup.service';
import type { CatchupDigest, KeyMessage } from '../../../catchup/catchup.digest';
import { isQuiet } from '../../../catchup/catchup.digest';
import { fitBlocks } from '../../../shared/block-limits';
import { clipMrkdwn, untrustedMrkdwn as u } from '../../../shared/text';
import { severityLabel, slackDate, statusLabel } from '../summary.blocks';

const SECTION = 2900;
const lower = (s: string) => s.toLowerCase();
const who = (id: string | undefined) => (id ? (/^[UW]/.test(id) ? `<@${id}>` : u(id)) : 'someone');
const at = (iso: string) => slackDate(iso, '{time}');
const tsIso = (ts: string) => new Date(Math.round(Number(ts) * 1000)).toISOString();

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text: clipMrkdwn(text, SECTION) } });
const context = (text: string) => ({
  type: 'context',
  elements: [{ type: 'mrkdwn', text: clipMrkdwn(text, SECTION) }],
});

function sinceText(d: CatchupDigest): string {
  const why =
    d.sinceSource === 'your_last_post'
      ? 'your last message here'
      : d.sinceSource === 'default'
        ? 'the last 2 hours'
        : 'the time you gave';
  return `since ${slackDate(d.since)} (${why})`;
}

const keyLine = (m: KeyMessage, extra = '') => `• ${at(tsIso(m.ts))} ${who(m.user)}${extra}: ${u(m.text)}`;

/** Each part of the digest as a section; empty parts say so briefly, so silence is visible too. */
export function digestSections(d: CatchupDigest): string[] {
  const status = d.status.changes.length
    ? d.status.changes
        .map(
          (c) =>
            `${lower(c.from)} → *${lower(c.to)}* by ${who(c.by)} at ${at(c.at)}${c.message ? `: ${u(c.message)}` : ''}`,
        )
        .join('\n')
    : 'no change';
  const severity = d.severity.changes.length
    ? d.severity.changes.map((c) => `${c.from} → *${c.to}* by ${who(c.by)} at ${at(c.at)}`).join('\n')
    : 'no change';
  const out = [
    `*Status now:* ${statusLabel(d.status.now)} — ${status}\n*Severity now:* ${severityLabel(d.severity.now)} — ${severity}`,
    d.latestUpdate
      ? `*Latest update* (${slackDate(d.latestUpdate.at)}${d.latestUpdate.isNew ? ', new' : ''}): ${u(d.latestUpdate.text)}`
      : '*Latest update:* none posted yet',
  ];
  const fu = [
    ...d.followUps.added.map(
      (a) => `• added: ${u(a.text)}${a.owner ? ` (${who(a.owner)})` : ''}${a.done ? ' — done' : ''}`,
    ),
    ...d.followUps.completed.map((c) => `• done by ${who(c.by)}: ${u(c.text)}`),
  ];
  out.push(`*New follow-ups:* ${fu.length ? `\n${fu.join('\n')}` : 'none'}`);
  const keys = [
    ...d.pinned.map((m) => keyLine(m, ' :pushpin:')),
    ...d.mostReacted
      .filter((m) => !d.pinned.some((p) => p.ts === m.ts))
      .map((m) => keyLine(m, ` (${m.reactions} reactions)`)),
    ...d.fromRoleHolders.filter((m) => !d.pinned.some((p) => p.ts === m.ts)).map((m) => keyLine(m, ` (${m.role})`)),
  ];
  out.push(`*Decisions and key messages:* ${keys.length ? `\n${keys.join('\n')}` : 'none'}`);
  const roles = d.working.roles.map((r) => `${r.role} ${who(r.userId)}`).join(', ') || 'no roles assigned';
  const owners = d.working.owners.map((o) => `• ${who(o.userId)}: ${o.followUps.map(u).join('; ')}`);
  const active = d.working.active.map((a) => `${who(a.userId)} (${a.messages})`).join(', ');
  out.push(
    [
      `*Who is on what:* ${roles}`,
      ...owners,
      active ? `Most active: ${active}` : 'Nobody has posted in this window.',
    ].join('\n'),
  );
  return out;
}

function footer(r: CatchupResult): string {
  const d = r.digest;
  const read = d.read.truncated
    ? `:warning: Read only the latest ${d.read.messages} messages (limit ${d.read.max}): older ones in this window are not included.`
    : `Read ${d.read.messages} message${d.read.messages === 1 ? '' : 's'}.`;
  const how =
    r.generator === 'llm'
      ? `Summary written by ${u(r.summary!.model)}; the facts below come from the incident log and the channel.`
      : `Deterministic digest: ${u(r.fallback ?? 'no AI model is configured')}.`;
  return `${read} ${how} Only you can see this.`;
}

/** The catch-up reply (ephemeral): an optional model summary, the digest, and how it was made. */
export function catchupBlocks(r: CatchupResult) {
  const d = r.digest;
  const title = `Catch-up on INC-${d.incident.number} ${sinceText(d)}`;
  const blocks: Record<string, unknown>[] = [section(`*${title}*`)];
  if (r.summary) {
    const qs = r.summary.openQuestions.length
      ? `\n*Open questions:*\n${r.summary.openQuestions.map((q) => `• ${u(q)}`).join('\n')}`
      : '';
    blocks.push(section(`:sparkles: ${u(r.summary.text)}${qs}`));
  }
  if (isQuiet(d)) blocks.push(section('_Quiet: nothing changed and nobody posted in this window._'));
  for (const s of digestSections(d)) blocks.push(section(s));
  blocks.push(context(footer(r)));
  const text = clipMrkdwn(
    `Catch-up on INC-${d.incident.number}: ${d.status.now.toLowerCase()}, ${d.severity.now}${r.generator === 'llm' ? ' (AI summary)' : ' (deterministic digest)'}`,
    3000,
  );
  return { text, blocks: fitBlocks(blocks) };
}
