import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getLatestPostmortem, getPostmortem, getPostmortemPr, listPostmortemVersions } from '../../src/adapters/db/postmortem.repo';
import { rebuildProjections } from '../../src/adapters/db/rebuild';
import type { IncidentRow } from '../../src/adapters/db/schema';
import { type GitHubFake, startGitHubFake } from '../fakes/github-fake.server';
import { IDS } from '../../src/adapters/slack/ids';
import { markdownSection } from '../../src/adapters/slack/postmortems/postmortem.blocks';
import type { SignalRef } from '../../src/incidents/incident.types';
import { ADMIN, type Harness, startHarness, TEAM, waitFor } from '../helpers/harness';
import { buttonsOf, eventsOf, incidentByNumber, press, previewsIn, replyTo, runPostmortemCommand, testClock } from '../helpers/postmortem-slack.helpers';
import { dialects } from '../helpers/test-db';

const TOKEN = 'ghp_postmortem_slack_token_0001';
const connector = { kind: 'connector' as const, id: 'connector:am', role: 'responder' as const };
const signal: SignalRef = { signalId: 'sig1', fingerprint: 'fp1', service: 'checkout', environment: 'production', title: 'Checkout error rate 7%', risk: 'BREACHED', status: 'firing', source: 'alertmanager' };
const FILE = 'postmortems/2026-11-10-checkout-errors-after-deploy.md';
const BRANCH = 'postmortem/incident-1';

describe.each(dialects())('postmortems as pull requests, from Slack (%s)', (dialect) => {
  let h: Harness;
  let gh: GitHubFake;
  const clock = testClock();
  let inc: IncidentRow;
  let ch: string;
  let prUrl: string;
  const prEvents = async (i: Pick<IncidentRow, 'id'>) => (await eventsOf(h, i.id)).filter((e) => e.type === 'POSTMORTEM_PR_OPENED');
  const drafted = async (i: Pick<IncidentRow, 'id'>) => (await eventsOf(h, i.id)).filter((e) => e.type === 'POSTMORTEM_DRAFTED').map((e) => JSON.parse(e.payload));

  beforeAll(async () => {
    gh = await startGitHubFake({ token: TOKEN, owner: 'acme', repo: 'incidents' });
    h = await startHarness(dialect, { GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: 'acme/incidents', GITHUB_API_URL: gh.url }, { now: clock.now });
  });
  afterAll(async () => {
    await h?.close();
    await gh?.stop();
  });

  it('runs an incident to resolution, then offers a Draft postmortem button', async () => {
    const at = (hhmm: string) => clock.set(`2026-11-10T${hhmm}:00.000Z`);
    at('10:00');
    await h.command('declare sev2 Checkout errors after deploy', { user: 'U0002' });
    await h.settle();
    inc = await incidentByNumber(h, 1);
    ch = inc.channel_id!;
    at('10:01');
    await h.app.deps.incidents.execute({ orgId: TEAM, incidentId: inc.id, actor: connector, command: { type: 'AttachSignal', signal } });
    const script: Array<[string, string]> = [
      ['10:04', 'assign commander <@U0003|carol>'],
      ['10:12', 'status investigating Looking at the dashboards'],
      ['10:20', 'note Error spike lines up with <@U0002> deploy of v2.3'],
      ['10:47', 'status mitigated Rolled back to v2.2'],
      ['10:50', 'action Add a canary stage for checkout'],
    ];
    for (const [t, text] of script) {
      at(t);
      expect((await h.command(text, { channel: ch })).body.text, text).not.toMatch(/:warning:|:x:/);
    }
    at('11:02');
    await h.app.deps.incidents.execute({ orgId: TEAM, incidentId: inc.id, actor: connector, command: { type: 'ResolveSignal', fingerprint: 'fp1' } });
    at('11:05');
    await h.command('status resolved Error rate normal for 15 minutes', { channel: ch });
    await h.settle();
    clock.run();
    const offers = h.slack.messages(ch).filter((m) => buttonsOf(m).includes(IDS.postmortemDraft));
    expect(offers.map((m) => m.text)).toEqual(['Status: mitigated → *resolved* by <@U0001>\n>Error rate normal for 15 minutes']);
    expect(JSON.stringify(offers[0].blocks)).toContain('INC-1 is resolved. Draft a blameless postmortem from its timeline?');
  });

  it('/incident postmortem posts a readable preview with three buttons and stores a complete draft', async () => {
    expect(await runPostmortemCommand(h, inc)).toMatch(/Postmortem draft v1 is being posted in the channel/);
    const previews = previewsIn(h, ch);
    expect(previews).toHaveLength(1);
    expect(buttonsOf(previews[0])).toEqual([IDS.postmortemCreatePr, IDS.postmortemRegenerate, IDS.postmortemDownload]);
    const shown = JSON.stringify(previews[0].blocks);
    for (const needle of ['Postmortem draft: INC-1 Checkout errors after deploy', 'Deterministic draft (no AI configured)', '*Time to mitigate:* 47m', '*Time to resolve:* 1h 05m', '*Alerts attached:* 1']) {
      expect(shown).toContain(needle);
    }

    const draft = (await getLatestPostmortem(h.tdb.db, TEAM, inc.id))!;
    expect(draft).toMatchObject({ version: 1, generator: 'deterministic', createdBy: ADMIN });
    const md = draft.markdown;
    expect(md.split('\n').filter((l) => l.startsWith('## '))).toEqual([
      '## Summary',
      '## Impact',
      '## Timeline',
      '## Root cause analysis',
      '## What went well',
      '## What went poorly',
      '## Action items',
      '## Related incidents',
      '## Links',
    ]);
    expect(md).toContain('- **Time to mitigate:** 47m (mitigated 2026-11-10 10:47:00 UTC)');
    expect(md).toContain('- **Time to resolve:** 1h 05m (resolved 2026-11-10 11:05:00 UTC)');
    expect(md).toContain('- **Services:** checkout');
    expect(md).toContain('**Roles:** Commander: Carol Chen');
    expect(md).toContain('- [ ] Add a canary stage for checkout');
    expect(md).toContain(`- Slack channel: [#inc-1-checkout-errors-after-deploy](https://acme.slack.com/archives/${ch}/p`);

    // Every event, in log order, with people's names rather than Slack ids.
    const timeline = markdownSection(md, 'Timeline').split('\n');
    const stamps = timeline.map((l) => /^- `(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC)` — /.exec(l)?.[1] ?? 'missing');
    expect([...stamps].sort()).toEqual(stamps);
    const expected = [
      /Incident declared by Bob Brown: “Checkout errors after deploy” \(SEV2\)/,
      /Incident channel #inc-1-checkout-errors-after-deploy opened/,
      /Live summary posted/,
      /10:01:00 UTC` — Alert attached: “Checkout error rate 7%” \(checkout \/ production, breached, from alertmanager\)/,
      /10:04:00 UTC` — Carol Chen became commander \(assigned by Alice Adams\)/,
      /Status changed from open to investigating by Alice Adams: “Looking at the dashboards”/,
      /Note added by Alice Adams: “Error spike lines up with @Bob Brown deploy of v2\.3”/,
      /10:47:00 UTC` — Status changed from investigating to mitigated/,
      /Follow-up action added by Alice Adams: “Add a canary stage for checkout”/,
      /11:02:00 UTC` — Alert resolved: “Checkout error rate 7%”/,
      /11:05:00 UTC` — Status changed from mitigated to resolved/,
    ];
    expect(timeline).toHaveLength(expected.length);
    expected.forEach((re, i) => expect(timeline[i]).toMatch(re));
    expect(md).not.toMatch(/U000\d/);
    expect(await drafted(inc)).toEqual([{ version: 1, generator: 'deterministic' }]);
  });

  it('Create PR opens the pull request: branch, dated file, labels, a body linking the incident', async () => {
    const id = await press(h, IDS.postmortemCreatePr, { channel: ch, message: previewsIn(h, ch)[0] });
    const text = await replyTo(h, id);
    expect(text).toMatch(/^:white_check_mark: Opened pull request <http:\/\/127\.0\.0\.1:\d+\/acme\/incidents\/pull\/1\|#1> with postmortem draft v1/);
    expect(h.slack.responses.find((r) => r.id === id)?.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    const v1 = (await getPostmortem(h.tdb.db, TEAM, inc.id, 1))!;
    expect(gh.branches('acme', 'incidents')).toContain(BRANCH);
    expect(gh.file('acme', 'incidents', FILE, BRANCH)).toBe(v1.markdown);
    const pulls = gh.pulls('acme', 'incidents');
    expect(pulls).toHaveLength(1);
    expect(pulls[0]).toMatchObject({ number: 1, head: BRANCH, base: 'main', state: 'open', labels: ['postmortem', 'incident'], title: 'Postmortem: INC-1 — Checkout errors after deploy' });
    expect(pulls[0].body).toContain(`- Incident: https://acme.slack.com/archives/${ch}/p`);
    prUrl = `${gh.url}/acme/incidents/pull/1`;
    expect(await getPostmortemPr(h.tdb.db, TEAM, inc.id)).toMatchObject({ number: 1, url: prUrl, branch: BRANCH, path: FILE });
    expect(await prEvents(inc)).toHaveLength(1);
    await h.settle();
    expect(h.slack.messages(ch).map((m) => m.text)).toContain(`:page_facing_up: Postmortem pull request: <${prUrl}|#1>`);
    expect((await incidentByNumber(h, 1)).postmortem_pr_url).toBe(prUrl);
  });

  it('pressing Create PR again returns the same PR and writes nothing', async () => {
    const from = gh.calls.length;
    const id = await press(h, IDS.postmortemCreatePr, { channel: ch, message: previewsIn(h, ch)[0] });
    expect(await replyTo(h, id)).toBe(`Pull request <${prUrl}|#1> is already open and has draft v1.`);
    expect(gh.pulls('acme', 'incidents')).toHaveLength(1);
    expect(gh.calls.slice(from).filter((c) => c.method !== 'GET').map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual([`POST /repos/acme/incidents/git/refs 422`]);
    expect(await prEvents(inc)).toHaveLength(1);
  });

  it('Regenerate makes version 2; Create PR then updates the file in the same PR', async () => {
    await press(h, IDS.postmortemRegenerate, { channel: ch, message: previewsIn(h, ch)[0] });
    await waitFor(async () => (await listPostmortemVersions(h.tdb.db, TEAM, inc.id)).length === 2, 8000, 'draft v2');
    await h.settle();
    const previews = previewsIn(h, ch);
    expect(previews).toHaveLength(2);
    expect(JSON.stringify(previews[1].blocks)).toMatch(/v2 · .*pull request: <http/);
    const v2 = (await getPostmortem(h.tdb.db, TEAM, inc.id, 2))!;
    expect(v2.markdown).toContain(`Postmortem pull request #1 opened: ${prUrl}.`);
    expect(await drafted(inc)).toEqual([
      { version: 1, generator: 'deterministic' },
      { version: 2, generator: 'deterministic' },
    ]);

    const id = await press(h, IDS.postmortemCreatePr, { channel: ch, message: previews[1], value: '2' });
    expect(await replyTo(h, id)).toBe(`:arrows_counterclockwise: Pull request <${prUrl}|#1> is already open; updated its file to draft v2.`);
    expect(gh.file('acme', 'incidents', FILE, BRANCH)).toBe(v2.markdown);
    expect(gh.pulls('acme', 'incidents')).toHaveLength(1);
    expect(await prEvents(inc)).toHaveLength(1);
  });

  it('Download uploads the pressed version as a Markdown file', async () => {
    const uploaded = () => [...h.slack.defaultTeam.files.values()].filter((f) => f.completed && f.channels.includes(ch));
    await press(h, IDS.postmortemDownload, { channel: ch, message: previewsIn(h, ch)[0], value: '1' });
    const [file] = await waitFor(() => (uploaded().length ? uploaded() : undefined), 5000, 'the upload');
    expect(file.name).toBe('2026-11-10-checkout-errors-after-deploy.md');
    expect(file.content?.toString('utf8')).toBe((await getPostmortem(h.tdb.db, TEAM, inc.id, 1))!.markdown);
    expect(h.slack.messages(ch).find((m) => m.files?.length)?.text).toMatch(/Postmortem draft v1 of INC-1/);
  });

  it('a Slack retry of /incident postmortem stores the draft once', async () => {
    const triggerId = '8888.1111.postmortemretry';
    const from = h.slack.responses.length;
    const acks = await Promise.all([h.command('postmortem', { channel: ch, triggerId }), h.command('postmortem', { channel: ch, triggerId, retryNum: 1 })]);
    expect(acks.map((a) => a.status)).toEqual([200, 200]);
    const answers = () => h.slack.responses.slice(from).map((r) => String((r.body as { text?: string }).text)).filter((t) => /draft v3/.test(t));
    await waitFor(() => answers().length === 2, 10_000, 'both answers');
    await h.settle();
    expect(answers().filter((t) => t.startsWith('Already handled'))).toHaveLength(1);
    expect(await listPostmortemVersions(h.tdb.db, TEAM, inc.id)).toHaveLength(3);
    expect((await drafted(inc)).map((d) => d.version)).toEqual([1, 2, 3]);
    expect(previewsIn(h, ch)).toHaveLength(3);
  });

  it('every press re-checks the workspace, the channel and the role (button values choose nothing)', async () => {
    await h.command('access grant <@U0004|dave> viewer');
    const preview = previewsIn(h, ch)[0];
    const ghCalls = gh.calls.length;
    const viewer = await press(h, IDS.postmortemRegenerate, { channel: ch, message: preview, user: 'U0004' });
    expect(await replyTo(h, viewer)).toMatch(/need the responder role .* you are a viewer/);
    const foreign = await press(h, IDS.postmortemCreatePr, { channel: ch, message: preview, team: 'T0BBBB', user: 'U0B1' });
    expect(await replyTo(h, foreign)).toMatch(/only works in an incident channel/);
    const elsewhere = await press(h, IDS.postmortemDownload, { channel: 'CGENERAL', message: preview });
    expect(await replyTo(h, elsewhere)).toMatch(/only works in an incident channel/);
    expect(gh.calls.length).toBe(ghCalls);
    expect(await listPostmortemVersions(h.tdb.db, TEAM, inc.id)).toHaveLength(3);
  });

  async function resolvedWithDraft(title: string) {
    const r = await h.command(`declare sev3 ${title}`);
    await h.settle();
    const i = await incidentByNumber(h, Number(/INC-(\d+)/.exec(r.body.text)![1]));
    await h.command('status resolved Fixed', { channel: i.channel_id! });
    await h.settle();
    // Drafted from the button the resolution offers, rather than the command.
    const offer = h.slack.messages(i.channel_id!).find((m) => buttonsOf(m).includes(IDS.postmortemDraft))!;
    await press(h, IDS.postmortemDraft, { channel: i.channel_id!, message: offer, value: String(i.number) });
    const preview = await waitFor(() => previewsIn(h, i.channel_id!)[0], 8000, 'the preview');
    expect(JSON.stringify(preview.blocks)).toContain(`INC-${i.number} GitHub trouble`);
    return { i, preview };
  }

  const reset = () => Math.floor(Date.now() / 1000) + 600;
  const hhmm = (epochSec: number) => new Date(epochSec * 1000).toISOString().slice(11, 16);
  const failures = [
    { name: '401 bad credentials', breakIt: () => gh.failNext('bad_credentials'), says: () => /GitHub rejected the token \(401 Bad credentials\)\. Ask an admin to check `GITHUB_TOKEN`/ },
    { name: '404 repository not found', breakIt: () => gh.failNext('not_found', { method: 'GET', path: /^\/repos\/acme\/incidents$/ }), says: () => /repository acme\/incidents was not found/ },
    {
      name: '422 branch taken by other work',
      breakIt: (n: number) => gh.seedBranch('acme', 'incidents', `postmortem/incident-${n}`, { 'notes.md': 'unrelated work' }),
      says: () => /Branch `postmortem\/incident-\d+` already exists in acme\/incidents .*Rename or delete that branch/,
      fix: (n: number) => gh.deleteBranch('acme', 'incidents', `postmortem/incident-${n}`),
    },
    (() => {
      const at = reset();
      return { name: '403 rate limited', breakIt: () => gh.failNext('rate_limited', { resetAt: at }), says: () => new RegExp(`rate limit for this token is used up\\. Try again after ${hhmm(at)} UTC`) };
    })(),
    { name: '429 secondary rate limit', breakIt: () => gh.failNext('secondary_rate_limited', { retryAfter: 120, method: 'POST', path: '/pulls' }), says: () => /rate limit .*about 2 min/ },
  ];

  it.each(failures)('$name: a clear ephemeral answer, nothing recorded, and the button works once fixed', async (f) => {
    const { i, preview } = await resolvedWithDraft(`GitHub trouble ${f.name}`);
    f.breakIt(i.number);
    const id = await press(h, IDS.postmortemCreatePr, { channel: i.channel_id!, message: preview });
    const text = await replyTo(h, id);
    expect(text).toMatch(f.says());
    expect(text).toMatch(/^:warning: /);
    expect(text).not.toContain(TOKEN);
    expect(h.slack.responses.find((r) => r.id === id)?.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(await getPostmortemPr(h.tdb.db, TEAM, i.id)).toBeUndefined();
    expect(await prEvents(i)).toEqual([]);
    expect((await incidentByNumber(h, i.number)).postmortem_pr_url).toBeNull();
    expect(buttonsOf(h.slack.messages(i.channel_id!).find((m) => m.ts === preview.ts)!)).toContain(IDS.postmortemCreatePr);

    f.fix?.(i.number);
    const again = await press(h, IDS.postmortemCreatePr, { channel: i.channel_id!, message: preview });
    expect(await replyTo(h, again)).toMatch(/^:white_check_mark: Opened pull request <[^|]+\|#\d+>/);
    expect(await getPostmortemPr(h.tdb.db, TEAM, i.id)).toMatchObject({ branch: `postmortem/incident-${i.number}` });
    expect(await prEvents(i)).toHaveLength(1);
  });

  it('projections rebuild reproduces the read models from a log with postmortem events', async () => {
    await h.settle();
    const read = async () => ({
      incidents: await h.tdb.db.selectFrom('incidents').selectAll().orderBy('id').execute(),
      timeline: await h.tdb.db.selectFrom('incident_timeline').selectAll().orderBy('incident_id').orderBy('seq').execute(),
    });
    const live = await read();
    await rebuildProjections(h.tdb.db);
    expect(await read()).toEqual(live);
  });
});
