import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateGuidance, guidanceRecord } from '../../src/adapters/openai/guidance-llm';
import { type OpenAiFake, startOpenAiFake } from '../fakes/openai-fake.server';
import { generatorLabel } from '../../src/guidance/guidance.labels';
import { context } from '../unit/guidance/guidance.fixtures';

const API_KEY = 'sk-test-guidance-0123456789';
const BOT_TOKEN = 'xoxb-4242-4242-botsecret';
const CONNECTOR_TOKEN = 'rvn_conn_9f8e7d6c5b4a';

const goodAnswer = {
  actions: [
    { text: 'Scale the payments deployment to 12 replicas', safety: 'caution', source: { kind: 'runbook', section: 'High latency' } },
    { text: 'Compare p99 latency before and after the 10:02 deploy', safety: 'safe', source: { kind: 'model' } },
  ],
  questions: ['Did the 10:02 deploy touch the card client?'],
};

describe('guidance LLM through the real openai client against the local fake', () => {
  let fake: OpenAiFake;
  const config = () => ({ apiKey: API_KEY, baseURL: fake.url, model: 'gpt-test', timeoutMs: 400, redact: [BOT_TOKEN, CONNECTOR_TOKEN] });

  beforeAll(async () => {
    fake = await startOpenAiFake();
  });
  afterAll(async () => fake?.close());
  beforeEach(() => fake.reset());

  it('uses a good answer and reports model, prompt version and tokens', async () => {
    fake.respondWith({ json: goodAnswer, usage: { prompt_tokens: 900, completion_tokens: 120 } });
    const r = await generateGuidance(config(), context());
    expect(r.fallbackReason).toBeUndefined();
    expect(r.guidance.generator).toBe('llm');
    expect(r.guidance.actions[0]).toEqual({ text: 'Scale the payments deployment to 12 replicas', safety: 'caution', source: { kind: 'runbook', section: 'High latency', service: 'payments' } });
    expect(r.guidance.questions).toEqual(['Did the 10:02 deploy touch the card client?']);
    expect(r.guidance.related.map((x) => x.number)).toEqual([12]);
    expect(r).toMatchObject({ model: 'gpt-test', promptVersion: 'guidance-v1', tokens: 1020 });
    expect(guidanceRecord(r)).toEqual({ generator: 'llm', model: 'gpt-test', promptVersion: 'guidance-v1', tokens: 1020, actionCount: 2 });
    expect(generatorLabel(r)).toBe('Drafted by gpt-test: check before acting');

    const req = fake.requests.at(-1)!;
    expect(req.path).toBe('/v1/chat/completions');
    expect(req.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(req.body).toMatchObject({ model: 'gpt-test', response_format: { type: 'json_object' } });
  });

  it('sends only incident context: no tokens from config, even when pasted into the incident', async () => {
    fake.respondWith({ json: goodAnswer });
    const ctx = context({
      description: `Someone pasted ${BOT_TOKEN} and ${CONNECTOR_TOKEN} here`,
      timeline: [`curl -H "Authorization: Bearer ${CONNECTOR_TOKEN}" ...`, 'our key is sk-test-guidance-0123456789'],
    });
    await generateGuidance(config(), ctx);
    const raw = fake.requests.at(-1)!.raw;
    expect(raw).toContain('Payments p99 latency high');
    for (const secret of [API_KEY, BOT_TOKEN, CONNECTOR_TOKEN, 'xoxb-']) expect(raw).not.toContain(secret);
  });

  it('falls back on a slow answer and says it timed out', async () => {
    fake.respondWith({ json: goodAnswer, delayMs: 2000 });
    const started = Date.now();
    const r = await generateGuidance(config(), context());
    expect(Date.now() - started).toBeLessThan(1500);
    expect(r.guidance.generator).toBe('deterministic');
    expect(r.fallbackReason).toBe('timed out after 0.4 s');
    expect(r.guidance.actions.length).toBeGreaterThan(0);
    expect(generatorLabel(r)).toBe('AI unavailable (timed out after 0.4 s), showing runbook guidance');
    expect(guidanceRecord(r)).toMatchObject({ generator: 'deterministic', model: 'gpt-test' });
  });

  it('falls back on HTTP 500 and says so', async () => {
    fake.respondWith({ status: 500 });
    const r = await generateGuidance(config(), context());
    expect(r.guidance.generator).toBe('deterministic');
    expect(r.fallbackReason).toBe('model API returned HTTP 500');
    expect(fake.requests).toHaveLength(1); // maxRetries 0
  });

  it('falls back on invalid JSON content and says so', async () => {
    fake.respondWith({ invalidJson: true });
    const r = await generateGuidance(config(), context());
    expect(r.guidance.generator).toBe('deterministic');
    expect(r.fallbackReason).toBe('the model returned invalid JSON');
  });

  it('falls back on JSON of the wrong shape and says so', async () => {
    fake.respondWith({ json: { steps: ['do stuff'] } });
    const r = await generateGuidance(config(), context());
    expect(r.fallbackReason).toBe('the model answer did not match the expected shape');
    expect(r.tokens).toBeGreaterThan(0);
  });

  it('falls back when the model API is unreachable', async () => {
    const r = await generateGuidance({ ...config(), baseURL: 'http://127.0.0.1:9/v1' }, context());
    expect(r.fallbackReason).toBe('could not reach the model API');
  });

  it('uses the deterministic drafter without a key, calling nothing', async () => {
    const r = await generateGuidance({ baseURL: fake.url }, context());
    expect(r.guidance.generator).toBe('deterministic');
    expect(r.fallbackReason).toBeUndefined();
    expect(fake.requests).toHaveLength(0);
    expect(generatorLabel(r)).toBe('From runbooks and past incidents (no AI configured)');
  });

  it('the fake serves /v1/models and queued one-off replies', async () => {
    const res = await fetch(`${fake.url}/models`);
    expect(((await res.json()) as { data: { id: string }[] }).data[0].id).toBe('fake-gpt');
    fake.respondWith({ json: goodAnswer });
    fake.respondOnce({ status: 500 });
    expect((await generateGuidance(config(), context())).fallbackReason).toBe('model API returned HTTP 500');
    expect((await generateGuidance(config(), context())).fallbackReason).toBeUndefined();
  });
});
