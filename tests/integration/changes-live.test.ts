import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addConnector } from '../../src/app/connector.service';
import { bearer } from '../helpers/alerts';
import { ADMIN, type Harness, startHarness, TEAM, waitFor } from '../helpers/harness';
import { dialects } from '../helpers/test-db';
import { plainTextValues, viewSubmissionPayload } from '../helpers/slack-signing';
import { IDS } from '../../src/adapters/slack/ids';

/**
 * Deployments seen from an incident: the pinned summary follows a deployment of the incident's service
 * live (queued → in progress → success), the postmortem lists them, App Home shows current versions,
 * and `connector list` files change senders apart from alert sources.
 */
describe.each(dialects())('changes, live (%s)', (dialect) => {
  let h: Harness;
  let changes: { id: string; token: string };
  let incident: { id: string; channel_id: string; summary_ts: string };
  const db = () => h.tdb.db;
  const min = (n: number) => new Date(Date.now() - n * 60_000).toISOString();
  const send = async (body: unknown) =>
    (
      await fetch(`${h.app.url}/connectors/${changes.id}/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(changes.token) },
        body: JSON.stringify(body),
      })
    ).status;
  const deploy = (o: Record<string, unknown>) => ({
    service: 'payments',
    environment: 'production',
    actor: 'alice',
    ...o,
  });
  const summaryText = () =>
    JSON.stringify(h.slack.messages(incident.channel_id).find((m) => m.ts === incident.summary_ts)?.blocks);

  beforeAll(async () => {
    // The catalog says payments depends on ledger: a ledger deployment is a suspect too.
    const catalog = mkdtempSync(path.join(tmpdir(), 'revenant-live-catalog-'));
    const component = (name: string, extra = '') =>
      `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${name}\nspec:\n  owner: team-a\n${extra}`;
    writeFileSync(path.join(catalog, 'payments.yaml'), `${component('payments')}  dependsOn: [component:ledger]\n`);
    writeFileSync(path.join(catalog, 'ledger.yaml'), component('ledger'));
    h = await startHarness(dialect, { CATALOG_PATH: catalog });
    const admin = { kind: 'user' as const, id: ADMIN, role: 'admin' as const };
    changes = await addConnector(
      { db: db(), config: h.config, now: () => new Date() },
      { orgId: TEAM, actor: admin, kind: 'changes' },
    );
    await addConnector(
      { db: db(), config: h.config, now: () => new Date() },
      { orgId: TEAM, actor: admin, kind: 'generic', name: 'alerts' },
    );
    expect(
      await send(
        deploy({ version: 'p1', status: 'success', startedAt: min(600), finishedAt: min(598), externalId: 'p1' }),
      ),
    ).toBe(202);
    expect(await send(deploy({ version: 'p2', status: 'in_progress', startedAt: min(5), externalId: 'p2' }))).toBe(202);
    const ledger = { service: 'ledger', version: 'l7', status: 'success', startedAt: min(9), finishedAt: min(8) };
    expect(await send(deploy({ ...ledger, externalId: 'l7' }))).toBe(202);
    // Declared from the form, naming the service.
    const form = viewSubmissionPayload({
      teamId: TEAM,
      userId: ADMIN,
      viewId: 'VDECLARE1',
      callbackId: IDS.declareModal,
      values: plainTextValues({
        [IDS.inputTitle]: { [IDS.inputTitle]: 'Payments failing' },
        [IDS.inputService]: { [IDS.inputService]: 'payments' },
      }),
    });
    expect((await h.interact(form)).status).toBe(200);
    incident = await waitFor(
      async () => {
        const r = await db()
          .selectFrom('incidents')
          .selectAll()
          .where('title', '=', 'Payments failing')
          .executeTakeFirst();
        return r?.summary_ts && r.channel_id ? (r as typeof incident) : undefined;
      },
      8000,
      'the incident with its summary',
    );
    await h.settle();
  }, 60_000);
  afterAll(async () => h?.close());

  it('connector list files change senders apart from alert connectors', async () => {
    const r = await h.command('connector list');
    const text = String(r.body?.text ?? '');
    expect(text).toMatch(/^Alert connectors:\n• `con_[^`]+` generic “alerts”/);
    expect(text).toMatch(/\nChange connectors \(deployments\):\n• `con_[^`]+` changes “changes”/);
  });

  it('the summary moves with the deployment: in progress, then success, re-rendered without anyone editing', async () => {
    expect(
      await send(
        deploy({ version: 'p2', status: 'in_progress', startedAt: min(5), statusAt: min(1), externalId: 'p2' }),
      ),
    ).toBe(202);
    await h.settle();
    await waitFor(
      () => (/payments <[^>]*>?p2|payments p2/.test(summaryText()) ? true : undefined),
      8000,
      'the Changes line',
    );
    expect(summaryText()).toMatch(/:arrows_counterclockwise: in progress/);
    expect(
      await send(deploy({ version: 'p2', status: 'success', startedAt: min(5), finishedAt: min(0), externalId: 'p2' })),
    ).toBe(202);
    await h.settle();
    await waitFor(() => (!/in progress/.test(summaryText()) ? true : undefined), 8000, 'the success');
    expect(summaryText()).toMatch(/\*Changes\* payments p2 → `production` by alice/);
    expect(summaryText()).toMatch(
      /; ledger _\(dependency\)_ l7 → `production` by alice, \d+ min before the first signal/,
    );
  });

  it('a deployment of another service, or a repeat, edits nothing', async () => {
    await h.settle();
    const edits = () => h.slack.callsTo('chat.update').length;
    const before = edits();
    expect(
      await send({ service: 'search', environment: 'production', version: 's1', status: 'success', externalId: 's1' }),
    ).toBe(202);
    expect(
      await send(deploy({ version: 'p2', status: 'success', startedAt: min(5), finishedAt: min(0), externalId: 'p2' })),
    ).toBe(202);
    await h.settle();
    expect(edits()).toBe(before);
  });

  it('the postmortem has a Changes section with the deployments around the incident', async () => {
    await h.command('postmortem', { channel: incident.channel_id });
    const draft = await waitFor(
      () => db().selectFrom('postmortems').select('markdown').where('incident_id', '=', incident.id).executeTakeFirst(),
      15_000,
      'the draft',
    );
    const section = draft.markdown.slice(draft.markdown.indexOf('## Changes'));
    expect(section).toMatch(
      /^## Changes\n\n- `[^`]+` — payments p2 → production: success, by alice, \d+ min after the first signal/,
    );
    expect(section.split('## ')[1]).not.toMatch(/p1/); // ten hours before: outside the window
  });

  it('App Home shows each environment’s current version and the latest deployments', async () => {
    await h.event({ type: 'app_home_opened', user: ADMIN, channel: 'D0HOME', tab: 'home' });
    const home = await waitFor(
      () => {
        const v = h.slack.homeTab(ADMIN);
        return v && JSON.stringify(v).includes('home_deploys_envs') ? v : undefined;
      },
      5000,
      'the home tab',
    );
    const text = JSON.stringify(home);
    expect(text).toMatch(/\*payments\* `production`: p2 since/);
    expect(text).toMatch(/\*search\* `production`: s1 since/);
    expect(text).toContain('home_deploys_recent');
  });
});
