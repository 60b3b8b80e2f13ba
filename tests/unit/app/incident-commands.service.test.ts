import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantAccess, operatorActor, resolveActor, resolveRole, userActor } from '../../../src/app/access.service';
import { addConnector, listConnectors } from '../../../src/app/connector.service';
import * as cmd from '../../../src/app/incident-commands.service';
import { incidentOfChannel, incidentTimeline, listIncidents } from '../../../src/app/incident-commands-read.service';
import { createIncidentService } from '../../../src/app/incident.service';
import type { IncidentState } from '../../../src/incidents/incident.types';
import { DomainError } from '../../../src/shared/domain-error';
import { createTestDb, dialects, type TestDb } from '../../helpers/test-db';

const ORG = 'T0SVC';
const admin = userActor('U0ADMIN', 'admin');
const lead = userActor('U0LEAD', 'sre_lead');
const responder = userActor('U0RESP', 'responder');
const viewer = userActor('U0VIEW', 'viewer');

/** The refusal a call ends in (fails the test when it succeeds). */
async function refusal(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return e as DomainError;
  }
  throw new Error('expected a refusal');
}

describe.each(dialects())('incident, access and connector services (%s)', (dialect) => {
  let tdb: TestDb;
  let deps: cmd.IncidentCommandDeps &
    Parameters<typeof listIncidents>[0] &
    Parameters<typeof grantAccess>[0] &
    Parameters<typeof addConnector>[0];
  const events = async () =>
    Number(
      (
        await tdb.db
          .selectFrom('incident_events')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    tdb = await createTestDb(dialect);
    const now = () => new Date();
    deps = {
      db: tdb.db,
      now,
      incidents: createIncidentService({ db: tdb.db, now }),
      config: { channelPrefix: 'inc', adminUserIds: ['U0ROOT'], publicUrl: 'https://revenant.example.com/' },
    };
  });
  afterAll(async () => tdb?.destroy());

  let inc: IncidentState;

  it('declares with the next number and a channel name; a retry with the same key writes nothing', async () => {
    const res = await cmd.declareIncident(deps, {
      orgId: ORG,
      actor: responder,
      title: ' Checkout is slow ',
      severity: 'SEV2',
      idempotencyKey: 'k-declare',
    });
    inc = res.state;
    expect(res.duplicate).toBe(false);
    expect(inc).toMatchObject({
      exists: true,
      number: 1,
      title: 'Checkout is slow',
      severity: 'SEV2',
      status: 'OPEN',
      channelName: 'inc-1-checkout-is-slow',
    });
    const before = await events();
    const again = await cmd.declareIncident(deps, {
      orgId: ORG,
      actor: responder,
      title: 'Checkout is slow',
      idempotencyKey: 'k-declare',
    });
    expect(again).toMatchObject({ duplicate: true, state: { id: inc.id, number: 1 } });
    expect(await events()).toBe(before);
    const second = await cmd.declareIncident(deps, { orgId: ORG, actor: lead, title: 'Queue backlog' });
    expect(second.state).toMatchObject({ number: 2, severity: 'SEV3' });
  });

  it('refuses a viewer before writing, with the domain reason', async () => {
    const before = await events();
    expect((await refusal(cmd.declareIncident(deps, { orgId: ORG, actor: viewer, title: 'x' }))).reason).toMatch(
      /responder role .* you are a viewer/,
    );
    expect(() => cmd.checkCanDeclare({ actor: viewer })).toThrow(DomainError);
    const on = { orgId: ORG, actor: viewer, incidentId: inc.id };
    // The directory would say "unknown": a refusal comes first, so nobody is looked up for a viewer.
    const people = {
      status: async () => {
        throw new Error('looked up');
      },
    };
    expect((await refusal(cmd.assignRole(deps, { ...on, role: 'scribe', userId: 'U0RESP', people }))).code).toBe(
      'forbidden',
    );
    expect((await refusal(cmd.addFollowUp(deps, { ...on, text: 'x', owner: 'U0RESP', people }))).code).toBe(
      'forbidden',
    );
    expect((await refusal(cmd.addNote(deps, { ...on, text: 'x' }))).code).toBe('forbidden');
    expect((await refusal(cmd.postUpdate(deps, { ...on, text: 'x' }))).code).toBe('forbidden');
    expect((await refusal(cmd.changeStatus(deps, { ...on, status: 'INVESTIGATING' }))).code).toBe('forbidden');
    expect(await events()).toBe(before);
  });

  it('runs the lifecycle, roles, notes, follow-ups and updates on the incident', async () => {
    const on = { orgId: ORG, incidentId: inc.id };
    const active = { status: async () => 'active' as const };
    await cmd.changeStatus(deps, { ...on, actor: responder, status: 'INVESTIGATING', message: 'Looking' });
    await cmd.assignRole(deps, { ...on, actor: responder, role: 'commander', userId: 'U0RESP', people: active });
    // The commander (a responder) may change severity and cancel; another responder may not.
    expect(
      (await refusal(cmd.changeSeverity(deps, { ...on, actor: userActor('U0OTHER', 'responder'), severity: 'SEV1' })))
        .reason,
    ).toMatch(/Only an SRE lead/);
    await cmd.changeSeverity(deps, { ...on, actor: responder, severity: 'SEV1' });
    await cmd.addNote(deps, { ...on, actor: responder, text: 'DB failover started' });
    const fu = await cmd.addFollowUp(deps, {
      ...on,
      actor: responder,
      text: 'Add an alert',
      owner: 'U0LEAD',
      people: active,
    });
    const action = fu.state.actions[0];
    expect(action).toMatchObject({ text: 'Add an alert', owner: 'U0LEAD', done: false });
    const done = await cmd.completeFollowUp(deps, { ...on, actor: lead, actionId: action.id });
    expect(done.state.actions[0]).toMatchObject({ done: true, completedBy: 'U0LEAD' });
    expect((await refusal(cmd.completeFollowUp(deps, { ...on, actor: lead, actionId: action.id }))).reason).toMatch(
      /already done/,
    );
    const up = await cmd.postUpdate(deps, { ...on, actor: responder, text: 'Mitigation in progress' });
    expect(up.state).toMatchObject({
      severity: 'SEV1',
      status: 'INVESTIGATING',
      roles: { commander: 'U0RESP' },
      lastUpdateText: 'Mitigation in progress',
    });
  });

  it('asks the people directory about assignees and owners', async () => {
    const on = { orgId: ORG, incidentId: inc.id, actor: responder };
    const gone = { status: async () => 'deactivated' as const };
    const unknown = { status: async () => 'unknown' as const };
    expect(
      (await refusal(cmd.assignRole(deps, { ...on, role: 'scribe', userId: 'U0GONE', people: gone }))).reason,
    ).toBe('<@U0GONE> has been deactivated.');
    expect(
      (await refusal(cmd.addFollowUp(deps, { ...on, text: 'x', owner: 'U0NOPE', people: unknown }))).reason,
    ).toMatch(/can't find the user <@U0NOPE>/);
  });

  it('adds a chat message to the timeline once, and a text-less one with a placeholder', async () => {
    const on = { orgId: ORG, incidentId: inc.id, actor: responder };
    const message = { channelId: 'C0INC', ts: '1700000000.000100', author: 'U0LEAD', text: 'x'.repeat(3500) };
    const first = await cmd.addMessageToTimeline(deps, { ...on, message });
    expect(first.duplicate).toBe(false);
    expect((await refusal(cmd.addMessageToTimeline(deps, { ...on, message }))).reason).toMatch(
      /already on the timeline/,
    );
    await cmd.addMessageToTimeline(deps, { ...on, message: { channelId: 'C0INC', ts: '1700000000.000200' } });
    const t = await incidentTimeline(deps, { orgId: ORG, actor: viewer, incidentId: inc.id });
    expect(t.incident.number).toBe(1);
    const texts = t.entries.map((e) => e.text).join('\n');
    expect(texts).toContain('(message without text)');
    expect(texts).toContain('DB failover started');
    expect(texts).not.toContain('x'.repeat(3001));
  });

  it('lists and searches this workspace only; the channel finds its incident', async () => {
    const open = await listIncidents(deps, { orgId: ORG, actor: viewer, which: 'open' });
    expect(open.kind === 'list' && open.incidents.map((i) => i.number)).toEqual([2, 1]);
    expect(await listIncidents(deps, { orgId: 'T0ELSE', actor: viewer, which: 'all' })).toEqual({
      kind: 'list',
      which: 'all',
      incidents: [],
    });
    const found = await listIncidents(deps, { orgId: ORG, actor: viewer, which: 'all', query: '  checkout  ' });
    expect(found).toMatchObject({ kind: 'search', which: 'all', query: 'checkout' });
    expect(await incidentOfChannel(deps, ORG, undefined)).toBeUndefined();
    expect(await incidentOfChannel(deps, ORG, 'C0NOWHERE')).toBeUndefined();
    expect((await refusal(incidentTimeline(deps, { orgId: 'T0ELSE', actor: admin, incidentId: inc.id }))).code).toBe(
      'not_found',
    );
  });

  it('grants roles (admins and operators only) and resolves them, ADMIN_USER_IDS first', async () => {
    expect(await resolveRole(deps, ORG, 'U0NEW')).toBe('responder');
    expect(
      (await refusal(grantAccess(deps, { orgId: ORG, actor: lead, userId: 'U0NEW', role: 'viewer' }))).reason,
    ).toBe('Granting roles needs the admin role; you are a sre lead.');
    expect(await resolveRole(deps, ORG, 'U0NEW')).toBe('responder');
    expect(await grantAccess(deps, { orgId: ORG, actor: admin, userId: 'U0NEW', role: ' Viewer ' })).toEqual({
      userId: 'U0NEW',
      role: 'viewer',
    });
    expect(await resolveActor(deps, ORG, 'U0NEW')).toEqual({ kind: 'user', id: 'U0NEW', role: 'viewer' });
    expect(await resolveRole(deps, 'T0ELSE', 'U0NEW')).toBe('responder');
    expect(
      (await refusal(grantAccess(deps, { orgId: ORG, actor: operatorActor, userId: 'U0NEW', role: 'boss' }))).reason,
    ).toMatch(/not a role/);
    expect(
      (await refusal(grantAccess(deps, { orgId: ORG, actor: operatorActor, userId: 'bob', role: 'viewer' }))).reason,
    ).toMatch(/not a Slack user id/);
    await grantAccess(deps, { orgId: ORG, actor: operatorActor, userId: 'U0ROOT', role: 'viewer' });
    expect(await resolveRole(deps, ORG, 'U0ROOT')).toBe('admin');
  });

  it('creates connectors (token once, URL from PUBLIC_URL) and lists them, admins only', async () => {
    const before = Number(
      (
        await tdb.db
          .selectFrom('connectors')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    expect((await refusal(addConnector(deps, { orgId: ORG, actor: lead, kind: 'generic' }))).reason).toBe(
      'Managing connectors needs the admin role; you are a sre lead.',
    );
    expect((await refusal(listConnectors(deps, { orgId: ORG, actor: responder }))).code).toBe('forbidden');
    expect((await refusal(addConnector(deps, { orgId: ORG, actor: admin, kind: 'nagios' }))).reason).toMatch(
      /alertmanager, grafana, datadog, generic/,
    );
    expect(
      Number(
        (
          await tdb.db
            .selectFrom('connectors')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    ).toBe(before);
    const c = await addConnector(deps, {
      orgId: ORG,
      actor: admin,
      kind: 'Grafana',
      name: 'Prod',
      idempotencyKey: 'slash:1',
    });
    expect(c).toMatchObject({ kind: 'grafana', url: `https://revenant.example.com/connectors/${c.id}/webhook` });
    expect(c.token).toMatch(/^rvn_/);
    expect(
      (await refusal(addConnector(deps, { orgId: ORG, actor: admin, kind: 'grafana', idempotencyKey: 'slash:1' })))
        .code,
    ).toBe('already_exists');
    const all = await listConnectors(deps, { orgId: ORG, actor: operatorActor });
    expect(all).toEqual([
      expect.objectContaining({ id: c.id, kind: 'grafana', name: 'Prod', createdBy: 'U0ADMIN', url: c.url }),
    ]);
    expect(JSON.stringify(all)).not.toContain(c.token);
  });
});
