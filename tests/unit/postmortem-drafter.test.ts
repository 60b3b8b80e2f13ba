import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPostmortemDrafter, generatePostmortem } from '../../src/adapters/openai/postmortem-drafter';
import { type OpenAiFake, startOpenAiFake } from '../fakes/openai-fake.server';
import { draftPostmortem } from '../../src/postmortems/postmortem.markdown';
import { fixtureInput } from '../helpers/postmortem.fixture';

const answer = {
  summary: 'A v2.3 deploy raised checkout errors to 7%; rolling back to v2.2 restored service.',
  rootCause: 'A changed config default in v2.3; why it passed review is an open question.',
  wentWell: ['Rollback took minutes'],
  wentPoorly: ['No canary stage caught it'],
};

let fake: OpenAiFake;
beforeAll(async () => {
  fake = await startOpenAiFake();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => fake.reset());

const drafter = (timeoutMs = 2000) => createPostmortemDrafter({ apiKey: 'sk-test-key-0123456789abcdef', baseURL: fake.url, model: 'fake-small', timeoutMs, redact: ['xoxb-secret-bot-token'] });

describe('postmortem drafter (OpenAI-compatible fake)', () => {
  it('is absent without an API key', () => {
    expect(createPostmortemDrafter({ apiKey: '' })).toBeNull();
  });

  it('uses a good answer and reports model and tokens', async () => {
    fake.respondWith({ json: answer, usage: { prompt_tokens: 900, completion_tokens: 120 } });
    const input = fixtureInput();
    const out = await generatePostmortem(drafter(), input);
    expect(out.generator).toBe('llm');
    expect(out.model).toBe('fake-small');
    expect(out.tokens).toBe(1020);
    expect(out.promptVersion).toMatch(/postmortem-narrative/);
    expect(out.markdown).toContain(answer.summary);
    expect(out.markdown).toContain('- Rollback took minutes');
    expect(out.markdown).not.toContain('_To fill in: what triggered');

    expect(fake.requests).toHaveLength(1);
    const body = fake.requests[0].body as { model: string; response_format: unknown; messages: Array<{ content: string }> };
    expect(body.model).toBe('fake-small');
    expect(body.response_format).toEqual({ type: 'json_object' });
    expect(fake.requests[0].raw).not.toContain('sk-test-key'); // only in the auth header
    expect(fake.requests[0].headers.authorization).toBe('Bearer sk-test-key-0123456789abcdef');
  });

  it('scrubs configured secret values from the prompt', async () => {
    fake.respondWith({ json: answer });
    const input = fixtureInput();
    input.incident = { ...input.incident, description: 'bot token xoxb-secret-bot-token leaked in logs' };
    await generatePostmortem(drafter(), input);
    expect(fake.requests[0].raw).not.toContain('xoxb-secret-bot-token');
  });

  it.each([
    ['timeout', { json: answer, delayMs: 1500 }, 'timeout'],
    ['HTTP 500', { status: 500 }, 'http_error'],
    ['invalid JSON', { invalidJson: true }, 'malformed'],
    ['wrong shape', { json: { summary: 'only this' } }, 'malformed'],
    ['empty content', { content: '' }, 'empty'],
  ] as const)('falls back to the deterministic draft on %s', async (_, reply, reason) => {
    fake.respondWith(reply);
    const input = fixtureInput();
    const started = Date.now();
    const out = await generatePostmortem(drafter(300), input);
    expect(out.generator).toBe('deterministic');
    expect(out.fallback?.reason).toBe(reason);
    expect(out.markdown).toBe(draftPostmortem(input));
    expect(Date.now() - started).toBeLessThan(1400); // no retries, the timeout holds
  });

  it('draftNarrative returns null on failure', async () => {
    fake.respondWith({ status: 500 });
    await expect(drafter()!.draftNarrative(fixtureInput())).resolves.toBeNull();
  });

  it('falls back when the server is unreachable', async () => {
    const d = createPostmortemDrafter({ apiKey: 'sk-x', baseURL: 'http://127.0.0.1:9/v1', timeoutMs: 1000 });
    const out = await generatePostmortem(d, fixtureInput());
    expect(out.generator).toBe('deterministic');
    expect(out.fallback?.reason).toBe('connection');
  });

  it('is deterministic without a drafter', async () => {
    const out = await generatePostmortem(null, fixtureInput());
    expect(out).toEqual({ markdown: draftPostmortem(fixtureInput()), generator: 'deterministic' });
  });
});
