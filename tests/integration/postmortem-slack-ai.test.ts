import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getLatestPostmortem, getPostmortemPr } from '../../src/adapters/db/postmortem.repo';
import type { IncidentRow } from '../../src/adapters/db/schema';
import { type GitHubFake, startGitHubFake } from '../fakes/github-fake.server';
import { type OpenAiFake, startOpenAiFake } from '../fakes/openai-fake.server';
import { createGitHubPullRequests } from '../../src/adapters/github/github-pr';
import { IDS } from '../../src/adapters/slack/ids';
import { type Harness, SIGNING_SECRET, startHarness, TEAM, waitFor } from '../helpers/harness';
import { eventsOf, incidentByNumber, press, previewsIn, replyTo, runPostmortemCommand } from '../helpers/postmortem-slack.helpers';
import { dialects } from '../helpers/test-db';

const NARRATIVE = {
  summary: 'Search returned errors for 20 minutes after an index rebuild; pausing the rebuild restored service.',
  rootCause: 'The rebuild ran at peak time and exhausted the cluster heap. Why did it run then? The schedule assumed a quiet night.',
  wentWell: ['The alert fired within a minute'],
  wentPoorly: ['No runbook for pausing a rebuild'],
};

describe.each(dialects())('postmortems drafted by a model, without GitHub configured (%s)', (dialect) => {
  let h: Harness;
  let ai: OpenAiFake;
  let gh: GitHubFake | undefined;
  let inc: IncidentRow;

  beforeAll(async () => {
    ai = await startOpenAiFake();
    ai.respondWith({ json: NARRATIVE, model: 'fake-gpt-mini' });
    h = await startHarness(dialect, { OPENAI_API_KEY: 'sk-test-openai-key-000000000000', OPENAI_BASE_URL: ai.url, OPENAI_MODEL: 'fake-gpt-mini' });
    await h.command('declare sev2 Search errors during index rebuild');
    await h.settle();
    inc = await incidentByNumber(h, 1);
    // Someone pastes a credential into the channel: it must not reach the model provider.
    await h.command(`note the signing secret is ${SIGNING_SECRET}, do not share`, { channel: inc.channel_id! });
    await h.command('status resolved Rebuild paused', { channel: inc.channel_id! });
    await h.settle();
  });
  afterAll(async () => {
    await h?.close();
    await ai?.close();
    await gh?.stop();
  });

  it('uses the model narrative, says so in the preview, and records generator, model and tokens in the log', async () => {
    expect(await runPostmortemCommand(h, inc)).toMatch(/draft v1/);
    const shown = JSON.stringify(previewsIn(h, inc.channel_id!)[0].blocks);
    expect(shown).toContain('Drafted by fake-gpt-mini');
    expect(shown).toContain(NARRATIVE.summary);
    const draft = (await getLatestPostmortem(h.tdb.db, TEAM, inc.id))!;
    expect(draft).toMatchObject({ generator: 'llm', model: 'fake-gpt-mini' });
    expect(draft.markdown).toContain(NARRATIVE.rootCause);
    expect(draft.markdown).toContain('- No runbook for pausing a rebuild');
    const [event] = (await eventsOf(h, inc.id)).filter((e) => e.type === 'POSTMORTEM_DRAFTED').map((e) => JSON.parse(e.payload));
    expect(event).toMatchObject({ version: 1, generator: 'llm', model: 'fake-gpt-mini', promptVersion: 'postmortem-narrative/v1' });
    expect(event.tokens).toBeGreaterThan(0);
    const sent = ai.requests.filter((r) => r.path === '/v1/chat/completions');
    expect(sent).toHaveLength(1);
    expect(sent[0].raw).toContain('Search errors during index rebuild');
    expect(sent[0].raw).not.toContain(SIGNING_SECRET);
  });

  it('falls back to the deterministic draft when the model fails, and the preview says why', async () => {
    ai.respondOnce({ status: 500 });
    await press(h, IDS.postmortemRegenerate, { channel: inc.channel_id!, message: previewsIn(h, inc.channel_id!)[0] });
    await waitFor(async () => (await getLatestPostmortem(h.tdb.db, TEAM, inc.id))?.version === 2, 8000, 'draft v2');
    await h.settle();
    const previews = previewsIn(h, inc.channel_id!);
    expect(previews).toHaveLength(2);
    expect(JSON.stringify(previews[1].blocks)).toContain('AI unavailable (API error), deterministic draft');
    expect(await getLatestPostmortem(h.tdb.db, TEAM, inc.id)).toMatchObject({ version: 2, generator: 'deterministic' });
    const events = (await eventsOf(h, inc.id)).filter((e) => e.type === 'POSTMORTEM_DRAFTED').map((e) => JSON.parse(e.payload));
    expect(events[1]).toEqual({ version: 2, generator: 'deterministic', fallback: 'http_error' });
  });

  it('Create PR without GitHub configured: a clear answer, nothing recorded; once configured, the press works', async () => {
    const preview = previewsIn(h, inc.channel_id!)[1];
    const id = await press(h, IDS.postmortemCreatePr, { channel: inc.channel_id!, message: preview });
    expect(await replyTo(h, id)).toBe(
      ':warning: Postmortem pull requests are not set up: an admin needs to set `GITHUB_TOKEN` and `GITHUB_REPOSITORY` (owner/repo). You can still download the draft.',
    );
    expect(await getPostmortemPr(h.tdb.db, TEAM, inc.id)).toBeUndefined();
    expect((await eventsOf(h, inc.id)).some((e) => e.type === 'POSTMORTEM_PR_OPENED')).toBe(false);

    // The operator sets GITHUB_TOKEN / GITHUB_REPOSITORY (the running deps stand in for a restart).
    gh = await startGitHubFake({ token: 'ghp_configured_later_0001', owner: 'acme', repo: 'postmortems' });
    h.app.deps.postmortems!.pullRequests = createGitHubPullRequests({ token: 'ghp_configured_later_0001', repository: 'acme/postmortems', apiUrl: gh.url });
    const again = await press(h, IDS.postmortemCreatePr, { channel: inc.channel_id!, message: preview });
    expect(await replyTo(h, again)).toMatch(/^:white_check_mark: Opened pull request <[^|]+\/acme\/postmortems\/pull\/1\|#1> with postmortem draft v2/);
    expect(gh.pulls('acme', 'postmortems')).toHaveLength(1);
    expect(await getPostmortemPr(h.tdb.db, TEAM, inc.id)).toMatchObject({ number: 1, branch: 'postmortem/incident-1' });
  });
});
