import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subcommands } from '../../src/adapters/slack/subcommands';
import { IDS } from '../../src/adapters/slack/ids';
import { encodeGuidanceActionValue, GUIDANCE_ADD_ACTION } from '../../src/adapters/slack/guidance/guidance.blocks';
import { atLeast, type Role } from '../../src/shared/roles';
import { encodeEntryRef } from '../../src/watchlist/digest.types';
import { RUNBOOK_INPUT, RUNBOOK_MODAL } from '../../src/adapters/slack/guidance/runbook.modal';
import { bearer, connector, overSocket } from '../helpers/alerts';
import { type Harness, startHarness, TEAM } from '../helpers/harness';
import { dialects } from '../helpers/test-db';

/**
 * Every slash command and every button, pressed by every role (and by an incident commander who is
 * only a responder). A refusal must say why and change nothing; an allowed request must not be refused.
 * Identity, workspace and incident always come from Slack's signed envelope and the channel.
 */

type Who = Role | 'commander';
const WHO: Who[] = ['admin', 'sre_lead', 'responder', 'viewer', 'commander'];
const USER: Record<Who, string> = { admin: 'U0001', sre_lead: 'U0002', responder: 'U0003', viewer: 'U0004', commander: 'U0005' };
const FORBIDDEN = /\brole\b|\bonly an? (admin|sre lead)/i;

const min = (r: Role) => (w: Who) => atLeast(w === 'commander' ? 'responder' : w, r);
const leadOrCommander = (w: Who) => w === 'commander' || atLeast(w, 'sre_lead');

interface CommandCase {
  sub: string;
  text: string;
  inIncident?: boolean;
  allowed: (w: Who) => boolean;
}

/** What CONTRACT.md promises for each subcommand (plus the feature subcommands' own rules). */
const COMMANDS: CommandCase[] = [
  { sub: 'help', text: 'help', allowed: () => true },
  { sub: 'declare', text: 'declare sev3 RBAC probe', allowed: min('responder') },
  { sub: 'status', text: 'status investigating Looking', inIncident: true, allowed: min('responder') },
  { sub: 'status', text: 'status cancelled Not an incident', inIncident: true, allowed: leadOrCommander },
  { sub: 'severity', text: 'severity sev1', inIncident: true, allowed: leadOrCommander },
  { sub: 'assign', text: 'assign scribe <@U0002|bob>', inIncident: true, allowed: min('responder') },
  { sub: 'note', text: 'note RBAC note', inIncident: true, allowed: min('responder') },
  { sub: 'action', text: 'action RBAC follow-up', inIncident: true, allowed: min('responder') },
  { sub: 'update', text: 'update RBAC update', inIncident: true, allowed: min('responder') },
  { sub: 'timeline', text: 'timeline', inIncident: true, allowed: min('viewer') },
  // Issue 19: catch-up is a read (every member); timeline settings are an admin's.
  { sub: 'catchup', text: 'catchup 1h', inIncident: true, allowed: min('viewer') },
  { sub: 'settings', text: 'settings thread-capture on', allowed: min('admin') },
  { sub: 'list', text: 'list all', allowed: min('viewer') },
  { sub: 'guidance', text: 'guidance', inIncident: true, allowed: min('viewer') },
  { sub: 'postmortem', text: 'postmortem', inIncident: true, allowed: min('responder') },
  { sub: 'watchlist', text: 'watchlist', allowed: min('viewer') },
  { sub: 'runbook', text: 'runbook checkout', allowed: min('viewer') },
  { sub: 'runbook', text: 'runbook checkout set https://wiki.example/checkout', allowed: min('sre_lead') },
  { sub: 'digest', text: 'digest', allowed: min('viewer') },
  { sub: 'digest', text: 'digest off', allowed: min('admin') },
  { sub: 'access', text: 'access grant <@U0099|zed> viewer', allowed: min('admin') },
  { sub: 'connector', text: 'connector list', allowed: min('admin') },
  { sub: 'connector', text: 'connector add generic rbac', allowed: min('admin') },
  { sub: 'changes', text: 'changes checkout', allowed: min('viewer') },
  // Rollback (docs/changes.md): a lead's or the commander's; allowed ones are told it is not configured here.
  { sub: 'rollback', text: 'rollback checkout production', inIncident: true, allowed: leadOrCommander },
  // Insights (docs/insights.md): every member may post the charts.
  { sub: 'insights', text: 'insights 7d', allowed: min('viewer') },
  // Health grid (README "SLOs"): every member may look.
  { sub: 'health', text: 'health', allowed: min('viewer') },
  // Service catalog (README "Service catalog"): reads, every member.
  { sub: 'services', text: 'services', allowed: min('viewer') },
  { sub: 'signals', text: 'signals', inIncident: true, allowed: min('viewer') },
  { sub: 'token', text: 'token list', allowed: min('admin') },
  { sub: 'token', text: 'token create viewer rbac-probe', allowed: min('admin') },
  { sub: 'webhook', text: 'webhook list', allowed: min('admin') },
  // Follow-ups in GitHub Issues (docs/followups.md): the list is a read, choosing the repository an admin's.
  { sub: 'followups', text: 'followups', inIncident: true, allowed: min('viewer') },
  { sub: 'followups', text: 'followups repo acme/followups', allowed: min('admin') },
  // Private incidents (README "Private incidents"): on a public incident, only `private` and `join` need a role.
  { sub: 'private', text: 'private', inIncident: true, allowed: (w) => w === 'admin' || w === 'commander' },
  { sub: 'public', text: 'public', inIncident: true, allowed: () => true },
  { sub: 'request-access', text: 'request-access INC-1', allowed: () => true },
  { sub: 'join', text: 'join INC-1', allowed: min('admin') },
  { sub: 'invite', text: 'invite <@U0099|zed>', inIncident: true, allowed: () => true },
];

/** Counts of everything a request could write: a refusal leaves all of them unchanged. */
async function writes(h: Harness) {
  const tables = ['incident_events', 'access_grants', 'connectors', 'runbooks', 'digest_settings', 'reminder_snoozes', 'outbox', 'api_tokens'] as const;
  const out: Record<string, number> = {};
  for (const t of tables) out[t] = Number((await h.tdb.db.selectFrom(t).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  out.cleared = Number((await h.tdb.db.selectFrom('watchlist').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'CLEARED').executeTakeFirstOrThrow()).n);
  out.views = h.slack.callsTo('views.open').length;
  return out;
}

describe.each(dialects())('RBAC matrix: every command and button × every role (%s)', (dialect) => {
  let h: Harness;
  const matrix: string[] = [];
  beforeAll(async () => {
    h = await startHarness(dialect);
    await h.command('access grant <@U0002|bob> sre_lead');
    await h.command('access grant <@U0004|dave> viewer');
  });
  afterAll(async () => {
    console.log(`RBAC matrix (${dialect}): allowed = ✓, refused = ✗\n${matrix.join('\n')}`);
    await h?.close();
  });

  /** A fresh incident whose commander is U0005 (a responder), in its own channel. */
  async function freshIncident(title: string) {
    const r = await h.command(`declare sev3 ${title}`);
    expect(r.body.text).toMatch(/Declared/);
    await h.settle();
    const inc = await h.tdb.db.selectFrom('incidents').selectAll().where('org_id', '=', TEAM).orderBy('number', 'desc').executeTakeFirstOrThrow();
    await h.command('assign commander <@U0005|erin>', { channel: inc.channel_id! });
    await h.settle();
    return (await h.tdb.db.selectFrom('incidents').selectAll().where('id', '=', inc.id).executeTakeFirstOrThrow());
  }

  /** The reply a person sees: the ack, or for slow subcommands the later response_url answer. */
  async function reply(text: string, who: Who, channel?: string): Promise<string> {
    const before = h.slack.responses.length;
    const r = await h.command(text, { user: USER[who], channel });
    expect(r.status).toBe(200);
    const acked = String(r.body?.text ?? '');
    if (!/Working on/.test(acked)) return acked;
    const end = Date.now() + 15_000;
    while (h.slack.responses.length === before) {
      if (Date.now() > end) throw new Error(`no answer to ${text}`);
      await new Promise((res) => setTimeout(res, 20));
    }
    return String((h.slack.responses[before].body as { text?: string }).text ?? '');
  }

  it('has a case for every registered subcommand', () => {
    const covered = new Set(COMMANDS.map((c) => c.sub));
    expect(subcommands.map((s) => s.name).filter((n) => !covered.has(n))).toEqual([]);
  });

  it('slash commands', { timeout: 120_000 }, async () => {
    for (const c of COMMANDS) {
      const row: string[] = [];
      for (const who of WHO) {
        const inc = c.inIncident ? await freshIncident(`${c.sub} by ${who}`) : undefined;
        // Effects of the previous cell (channel opening appends CHANNEL_LINKED…) must land before we count.
        await h.settle();
        const before = await writes(h);
        const text = await reply(c.text, who, inc?.channel_id ?? undefined);
        const refused = FORBIDDEN.test(text);
        const expected = c.allowed(who);
        row.push(refused ? '✗' : '✓');
        expect(refused, `/incident ${c.text} by ${who}: "${text}"`).toBe(!expected);
        if (refused) expect(await writes(h), `/incident ${c.text} by ${who} wrote something`).toEqual(before);
        else expect(text, `/incident ${c.text} by ${who}`).not.toMatch(/:x:|Something went wrong/);
      }
      matrix.push(`| \`/incident ${c.text}\` | ${row.join(' | ')} |`);
    }
  });

  it('buttons, shortcuts and form submissions', { timeout: 120_000 }, async () => {
    // A watchlist entry (an at-risk alert, no incident) for the digest buttons.
    const gen = await connector(h.tdb.db, TEAM, 'generic');
    const atRisk = async (n: string) => {
      const sent = await overSocket(h.app.url)(gen.id, JSON.stringify({ serviceName: 'checkout', environment: 'prod', status: 'firing', title: `checkout errors ${n}`, metrics: { errorRate: 0.02 } }), bearer(gen.token));
      expect(sent.status).toBe(202);
    };
    await atRisk('first');
    const entry = encodeEntryRef({ service: 'checkout', environment: 'prod' });

    const envelope = (who: Who, channel: string, trigger: string) => ({
      team: { id: TEAM, domain: 'acme' },
      user: { id: USER[who], username: who, team_id: TEAM },
      api_app_id: 'A0APP0001',
      trigger_id: trigger,
      channel: { id: channel, name: 'x' },
      response_url: h.slack.responseUrl(),
    });
    const button = (who: Who, channel: string, actionId: string, value: string, trigger: string) => ({
      type: 'block_actions',
      ...envelope(who, channel, trigger),
      container: { type: 'message', channel_id: channel, message_ts: '1.1' },
      message: { ts: '1.1', type: 'message', text: 'x' },
      actions: [{ action_id: actionId, block_id: 'b', value, type: 'button', action_ts: '1.2' }],
    });
    const submit = (who: Who, callbackId: string, values: Record<string, unknown>, privateMetadata: string, viewId: string) => ({
      type: 'view_submission',
      team: { id: TEAM, domain: 'acme' },
      user: { id: USER[who], username: who, team_id: TEAM },
      api_app_id: 'A0APP0001',
      trigger_id: `${viewId}.t`,
      view: { id: viewId, team_id: TEAM, type: 'modal', callback_id: callbackId, private_metadata: privateMetadata, state: { values } },
    });

    type Case = { name: string; allowed: (w: Who) => boolean; /** false: an allowed press may only answer (no GitHub here, no draft yet) */ effect?: false; payload: (who: Who, inc: Awaited<ReturnType<typeof freshIncident>>, n: string) => Promise<Record<string, unknown>> };
    const actionOf = async (incId: string) => (await h.tdb.db.selectFrom('incident_actions').select('action_id').where('incident_id', '=', incId).executeTakeFirstOrThrow()).action_id;
    const CASES: Case[] = [
      {
        name: 'Done (follow-up)',
        allowed: min('responder'),
        payload: async (who, inc, n) => {
          await h.command('action Button probe', { channel: inc.channel_id! });
          return button(who, inc.channel_id!, IDS.actionDone, await actionOf(inc.id), `done.${n}`);
        },
      },
      { name: 'Mark mitigated', allowed: min('responder'), payload: async (who, inc, n) => button(who, inc.channel_id!, IDS.markMitigated, inc.id, `mit.${n}`) },
      {
        name: 'Add to incident timeline (shortcut)',
        allowed: min('responder'),
        payload: async (who, inc, n) => ({
          type: 'message_action',
          callback_id: IDS.shortcutAddToTimeline,
          ...envelope(who, inc.channel_id!, `sc.${n}`),
          message: { type: 'message', ts: `1700000000.${n.replace(/\D/g, '').padStart(6, '0').slice(-6)}`, user: 'U0003', text: 'a message worth keeping' },
          message_ts: '1.1',
        }),
      },
      {
        name: 'Declare form submitted',
        allowed: min('responder'),
        payload: async (who, _inc, n) => submit(who, IDS.declareModal, { title: { title: { type: 'plain_text_input', value: `From the form ${n}` } }, severity: { severity: { type: 'static_select', selected_option: { value: 'SEV3' } } } }, '{}', `VDEC${n}`),
      },
      { name: 'Reminder: Post update', allowed: min('responder'), payload: async (who, inc, n) => button(who, inc.channel_id!, IDS.reminderPostUpdate, inc.id, `rpu.${n}`) },
      { name: 'Reminder: Snooze', allowed: min('responder'), payload: async (who, inc, n) => button(who, inc.channel_id!, IDS.reminderSnooze, inc.id, `rsn.${n}`) },
      {
        name: 'Update form submitted',
        allowed: min('responder'),
        payload: async (who, inc, n) => submit(who, IDS.updateModal, { [IDS.inputUpdate]: { [IDS.inputUpdate]: { type: 'plain_text_input', value: `Update ${n}` } } }, JSON.stringify({ channelId: inc.channel_id }), `VUPD${n}`),
      },
      {
        name: 'Guidance: Add to actions',
        allowed: min('responder'),
        payload: async (who, inc, n) => button(who, inc.channel_id!, GUIDANCE_ADD_ACTION, encodeGuidanceActionValue({ incidentId: inc.id, text: `Check the dashboards ${n}`, safety: 'safe' } as never), `gad.${n}`),
      },
      { name: 'Watchlist: Declare', allowed: min('responder'), payload: async (who, inc, n) => button(who, inc.channel_id!, `${IDS.watchDeclare}:0`, entry, `wd.${n}`) },
      {
        name: 'Watchlist: Clear',
        allowed: min('sre_lead'),
        payload: async (who, inc, n) => {
          await atRisk(n); // a new alert puts a cleared entry back
          return button(who, inc.channel_id!, `${IDS.watchClear}:0`, entry, `wc.${n}`);
        },
      },
      { name: 'Postmortem: Draft', allowed: min('responder'), payload: async (who, inc, n) => button(who, inc.channel_id!, IDS.postmortemDraft, '1', `pmd.${n}`) },
      { name: 'Postmortem: Regenerate', allowed: min('responder'), payload: async (who, inc, n) => button(who, inc.channel_id!, IDS.postmortemRegenerate, '1', `pmr.${n}`) },
      { name: 'Postmortem: Create PR', allowed: min('responder'), effect: false, payload: async (who, inc, n) => button(who, inc.channel_id!, IDS.postmortemCreatePr, '1', `pmp.${n}`) },
      { name: 'Postmortem: Download', allowed: min('responder'), effect: false, payload: async (who, inc, n) => button(who, inc.channel_id!, IDS.postmortemDownload, '1', `pml.${n}`) },
      {
        name: 'Runbook form submitted',
        allowed: min('sre_lead'),
        payload: async (who, _inc, n) => submit(who, RUNBOOK_MODAL, { [RUNBOOK_INPUT]: { [RUNBOOK_INPUT]: { type: 'plain_text_input', value: `# Runbook ${n}` } } }, JSON.stringify({ service: `rbac-${n.replace(/_/g, '-')}` }), `VRB${n}`),
      },
    ];

    for (const c of CASES) {
      const row: string[] = [];
      for (const who of WHO) {
        const inc = await freshIncident(`${c.name} by ${who}`);
        const payload = await c.payload(who, inc, `${CASES.indexOf(c)}x${who}`);
        await h.settle();
        const before = await writes(h);
        const responsesBefore = h.slack.responses.length;
        const ephemeralsBefore = h.slack.ephemerals().length;
        const r = await h.interact(payload);
        expect(r.status, `${c.name} by ${who}`).toBe(200);
        // The answer to the presser: form errors in the HTTP body, or an ephemeral; or the effect itself.
        const told = async () => [JSON.stringify(r.body ?? ''), ...h.slack.responses.slice(responsesBefore).map((x) => JSON.stringify(x.body)), ...h.slack.ephemerals().slice(ephemeralsBefore).map((e) => e.text)].join('\n');
        const end = Date.now() + 5_000;
        let changed = false;
        while (Date.now() < end) {
          changed = JSON.stringify(await writes(h)) !== JSON.stringify(before);
          const answer = await told();
          if (changed || FORBIDDEN.test(answer) || (c.effect === false && answer.replace(/"/g, '').trim())) break;
          await new Promise((res) => setTimeout(res, 25));
        }
        const refused = FORBIDDEN.test(await told());
        row.push(refused ? '✗' : '✓');
        expect(refused, `${c.name} by ${who}: ${await told()}`).toBe(!c.allowed(who));
        if (refused) expect(changed, `${c.name} by ${who} was refused but wrote something`).toBe(false);
        else if (c.effect !== false) expect(changed, `${c.name} by ${who} was allowed but did nothing`).toBe(true);
        else expect((await told()).replace(/"/g, '').trim(), `${c.name} by ${who} got no answer`).not.toBe('');
      }
      matrix.push(`| ${c.name} | ${row.join(' | ')} |`);
    }
  });
});
