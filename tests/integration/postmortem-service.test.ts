import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextIncidentNumber } from '../../src/adapters/db/incident.queries';
import { getPostmortemPr, listPostmortemVersions } from '../../src/adapters/db/postmortem.repo';
import { GitHubPrError, createGitHubPullRequests } from '../../src/adapters/github/github-pr';
import { createPostmortemDrafterPort } from '../../src/adapters/openai/postmortem-drafter';
import { createIncidentService } from '../../src/app/incident.service';
import {
  type FileUploads,
  type IncidentLinks,
  type PostmortemService,
  type UserDirectory,
  createPostmortemService,
  deterministicDrafter,
} from '../../src/app/postmortem.service';
import { loadConfig } from '../../src/config';
import type { Actor } from '../../src/incidents/incident.types';
import { DomainError } from '../../src/shared/domain-error';
import { type GitHubFake, startGitHubFake } from '../fakes/github-fake.server';
import { type OpenAiFake, startOpenAiFake } from '../fakes/openai-fake.server';
import { createTestDb, dialects, type TestDb } from '../helpers/test-db';

// Credential values without a recognisable shape: only the configured-secrets list can catch them.
const OPENAI_KEY = 'plainkey-openai-4f1c9e7a2b';
const SIGNING = 'plainsigning-secret-8d2e6b1f';
const GH_TOKEN = 'plaintoken-github-3a7c5e9d';
const NARRATIVE = {
  summary: 'Checkout was slow for 12 minutes; a rollback restored it.',
  rootCause: 'A cache flag.',
  wentWell: ['Fast alert'],
  wentPoorly: ['Slow rollback'],
};

const lead: Actor = { kind: 'user', id: 'U0LEAD', role: 'sre_lead' };
const viewer: Actor = { kind: 'user', id: 'U0VIEW', role: 'viewer' };
const NOW = new Date('2026-11-21T12:00:00.000Z');

/** The Slack-side ports, recorded: names come from a table, links are fixed, uploads are kept. */
function slackSide() {
  const lookedUp: string[][] = [];
  const uploads: Parameters<FileUploads['upload']>[1][] = [];
  const users: UserDirectory = {
    async names(_orgId, ids) {
      lookedUp.push([...ids]);
      return Object.fromEntries(ids.filter((id) => id === 'U0LEAD').map((id) => [id, 'Lena Lead']));
    },
  };
  const links: IncidentLinks = {
    link: async () => 'https://chat.example/incident',
    channel: (_o, c) => `https://chat.example/${c}`,
  };
  return {
    users,
    links,
    uploads: { upload: async (_o, f) => void uploads.push(f) } satisfies FileUploads,
    lookedUp,
    uploaded: uploads,
  };
}

describe.each(dialects())('postmortem service, called directly (%s)', (dialect) => {
  let t: TestDb;
  let ai: OpenAiFake;
  let gh: GitHubFake;
  let side: ReturnType<typeof slackSide>;
  let service: PostmortemService;
  const org = `T${randomUUID().slice(0, 8).toUpperCase()}`;
  const incidentId = randomUUID();
  let incidents: ReturnType<typeof createIncidentService>;

  const events = async (type: string) =>
    (
      await t.db
        .selectFrom('incident_events')
        .select('payload')
        .where('incident_id', '=', incidentId)
        .where('type', '=', type)
        .execute()
    ).map((e) => JSON.parse(e.payload));

  beforeAll(async () => {
    t = await createTestDb(dialect);
    ai = await startOpenAiFake();
    ai.respondWith({ json: NARRATIVE, model: 'fake-gpt-mini' });
    gh = await startGitHubFake({ token: GH_TOKEN, owner: 'acme', repo: 'ops' });
    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: SIGNING,
      OPENAI_API_KEY: OPENAI_KEY,
      OPENAI_BASE_URL: ai.url,
      OPENAI_MODEL: 'fake-gpt-mini',
      GITHUB_TOKEN: GH_TOKEN,
      GITHUB_REPOSITORY: 'acme/ops',
      GITHUB_API_URL: gh.url,
    });
    incidents = createIncidentService({ db: t.db, now: () => NOW });
    side = slackSide();
    service = createPostmortemService({
      db: t.db,
      incidents,
      logger: { warn: () => undefined },
      now: () => NOW,
      drafter: createPostmortemDrafterPort(config),
      pullRequests: createGitHubPullRequests(config.github),
      users: side.users,
      links: side.links,
      uploads: side.uploads,
    });
    await incidents.execute({
      orgId: org,
      incidentId,
      actor: lead,
      command: async (trx) => ({
        type: 'DeclareIncident',
        number: await nextIncidentNumber(trx, org),
        title: 'Checkout slow',
        severity: 'SEV2',
        channelName: 'inc-1-checkout',
      }),
    });
    // Someone pastes every configured credential into the incident.
    await incidents.execute({
      orgId: org,
      incidentId,
      actor: lead,
      command: { type: 'AddNote', text: `keys: ${OPENAI_KEY} ${SIGNING} ${GH_TOKEN}, ask <@U0BOB>` },
    });
    await incidents.execute({
      orgId: org,
      incidentId,
      actor: lead,
      command: { type: 'ChangeStatus', status: 'RESOLVED', message: 'Rolled back' },
    });
  });
  afterAll(async () => {
    await ai?.close();
    await gh?.stop();
    await t?.destroy();
  });

  it('refuses a viewer before anything is drafted or stored', async () => {
    const err = await service.draft({ orgId: org, incidentId, actor: viewer }).catch((e) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ code: 'forbidden' });
    expect(ai.requests).toHaveLength(0);
    expect(await listPostmortemVersions(t.db, org, incidentId)).toHaveLength(0);
  });

  it('refuses a pull request before there is a draft', async () => {
    await expect(service.openPullRequest({ orgId: org, incidentId, actor: lead })).rejects.toMatchObject({
      code: 'not_found',
    });
    expect(gh.pulls('acme', 'ops')).toHaveLength(0);
  });

  it('drafts with the model: names from the directory, no configured secret (the OpenAI key included) sent to the model', async () => {
    const r = await service.draft({ orgId: org, incidentId, actor: lead, idempotencyKey: 'slash:T1' });
    expect(r).toEqual({ version: 1, duplicate: false });
    expect(side.lookedUp[0]).toEqual(expect.arrayContaining(['U0LEAD', 'U0BOB']));
    const sent = ai.requests.filter((q) => q.path === '/v1/chat/completions');
    expect(sent).toHaveLength(1);
    expect(sent[0].raw).toContain('Checkout slow');
    expect(sent[0].raw).toContain('[redacted]');
    for (const secret of [OPENAI_KEY, SIGNING, GH_TOKEN]) expect(sent[0].raw).not.toContain(secret);
    const [drafted] = await events('POSTMORTEM_DRAFTED');
    expect(drafted).toMatchObject({ version: 1, generator: 'llm', model: 'fake-gpt-mini' });
    const [stored] = await listPostmortemVersions(t.db, org, incidentId);
    expect(stored).toMatchObject({ version: 1, generator: 'llm', createdBy: 'U0LEAD' });
  });

  it('a retried request (same key) drafts nothing and stores nothing', async () => {
    const before = ai.requests.length;
    expect(await service.draft({ orgId: org, incidentId, actor: lead, idempotencyKey: 'slash:T1' })).toEqual({
      version: 1,
      duplicate: true,
    });
    expect(ai.requests).toHaveLength(before);
    expect(await listPostmortemVersions(t.db, org, incidentId)).toHaveLength(1);
  });

  it('opens the pull request with the latest draft through the real Octokit; pressing again finds it', async () => {
    const r = await service.openPullRequest({ orgId: org, incidentId, actor: lead, idempotencyKey: 'action:P1' });
    expect(r).toMatchObject({ number: 1, created: true, version: 1, branch: 'postmortem/incident-1' });
    const file = gh.file('acme', 'ops', r.path, r.branch);
    expect(file).toContain(NARRATIVE.summary);
    expect(file).toContain('Lena Lead');
    expect(await getPostmortemPr(t.db, org, incidentId)).toMatchObject({ number: 1, path: r.path });
    expect(await events('POSTMORTEM_PR_OPENED')).toHaveLength(1);
    const again = await service.openPullRequest({ orgId: org, incidentId, actor: lead, idempotencyKey: 'action:P2' });
    expect(again).toMatchObject({ number: 1, created: false, updated: false });
    expect(gh.pulls('acme', 'ops')).toHaveLength(1);
  });

  it('a GitHub refusal records nothing; regenerate then writes the new version into the same pull request', async () => {
    ai.respondWith({ status: 500 });
    const v2 = await service.regenerate({ orgId: org, incidentId, actor: lead, idempotencyKey: 'action:R1' });
    expect(v2).toEqual({ version: 2, duplicate: false });
    expect((await events('POSTMORTEM_DRAFTED'))[1]).toMatchObject({
      version: 2,
      generator: 'deterministic',
      fallback: 'http_error',
    });
    gh.failNext('bad_credentials');
    const before = (await events('POSTMORTEM_PR_OPENED')).length;
    await expect(service.openPullRequest({ orgId: org, incidentId, actor: lead })).rejects.toBeInstanceOf(
      GitHubPrError,
    );
    expect(await events('POSTMORTEM_PR_OPENED')).toHaveLength(before);
    const r = await service.openPullRequest({ orgId: org, incidentId, actor: lead });
    expect(r).toMatchObject({ number: 1, created: false, updated: true, version: 2 });
    expect(gh.file('acme', 'ops', r.path, r.branch)).toContain('To fill in');
  });

  it('downloads the chosen version (else the latest) through the upload port', async () => {
    expect(await service.download({ orgId: org, incidentId, actor: lead, channelId: 'C1', version: 1 })).toMatchObject({
      version: 1,
    });
    await service.download({ orgId: org, incidentId, actor: lead, channelId: 'C1' });
    expect(side.uploaded.map((u) => u.title)).toEqual(['Postmortem INC-1 (draft v1)', 'Postmortem INC-1 (draft v2)']);
    expect(side.uploaded[0]).toMatchObject({
      channelId: 'C1',
      filename: expect.stringMatching(/^2026-11-21-checkout-slow\.md$/),
    });
    expect(side.uploaded[0].content).toContain(NARRATIVE.summary);
    expect(side.uploaded[0].comment).toContain('<@U0LEAD>');
    await expect(service.download({ orgId: org, incidentId, actor: viewer, channelId: 'C1' })).rejects.toMatchObject({
      code: 'forbidden',
    });
  });

  it('without a model the draft is deterministic and nothing is sent anywhere', async () => {
    const before = ai.requests.length;
    const plain = createPostmortemService({
      ...{ db: t.db, incidents, logger: { warn: () => undefined }, now: () => NOW },
      ...{ users: side.users, links: side.links, uploads: side.uploads },
      drafter: deterministicDrafter,
      pullRequests: createGitHubPullRequests({}),
    });
    expect(plain.usesModel).toBe(false);
    expect(await plain.draft({ orgId: org, incidentId, actor: lead })).toEqual({ version: 3, duplicate: false });
    expect(ai.requests).toHaveLength(before);
    await expect(plain.openPullRequest({ orgId: org, incidentId, actor: lead })).rejects.toMatchObject({
      code: 'not_configured',
    });
  });
});
