import type OpenAI from 'openai';
import { z } from 'zod';
import type { GuidanceDrafterPort } from '../../app/guidance.service';
import type { Config } from '../../config';
import { buildGuidance } from '../../guidance/guidance.builder';
import { GUIDANCE_PROMPT_VERSION, type ModelAnswer, acceptModelAnswer, buildGuidancePrompt, redactSecrets } from '../../guidance/guidance.prompt';
import { type GuidanceContext, type GuidanceResult, SAFETY_LEVELS } from '../../guidance/guidance.types';
import { type ModelConfig, modelConfigFrom } from './model.config';
import { loadOpenAI, type OpenAIModule } from './openai.lazy';

export type { GuidanceResult } from '../../guidance/guidance.types';
export { type GuidanceRecord, guidanceRecord } from '../../guidance/guidance.record';

export const DEFAULT_GUIDANCE_MODEL = 'gpt-4o-mini';
export const DEFAULT_GUIDANCE_TIMEOUT_MS = 15_000;
const MAX_COMPLETION_TOKENS = 1500;

export type GuidanceLlmConfig = ModelConfig;

const lower = (v: unknown) => (typeof v === 'string' ? v.trim().toLowerCase() : v);

const SourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('runbook'), section: z.string().min(1).max(300) }),
  z.object({ kind: z.literal('incident'), number: z.coerce.number().int().positive() }),
  z.object({ kind: z.literal('model') }),
]);

// Lenient where a slip is harmless (an odd safety word becomes "unknown", a bad citation becomes
// "model"); strict where the answer would be useless (no actions, no text).
const AnswerSchema = z.object({
  actions: z
    .array(
      z.object({
        text: z.string().trim().min(1).max(2000),
        safety: z.preprocess(lower, z.enum(SAFETY_LEVELS)).catch('unknown'),
        source: SourceSchema.optional().catch(undefined),
      }),
    )
    .min(1)
    .max(30),
  questions: z.array(z.string().trim().min(1).max(1000)).max(30).catch([]),
});

export async function createGuidanceClient(config: GuidanceLlmConfig): Promise<OpenAI | undefined> {
  if (!config.apiKey) return undefined;
  const { default: OpenAI } = await loadOpenAI();
  // maxRetries 0: a slow model must not turn a 15 s budget into 45 s; the fallback is instant.
  return new OpenAI({ apiKey: config.apiKey, baseURL: config.baseURL || undefined, timeout: config.timeoutMs ?? DEFAULT_GUIDANCE_TIMEOUT_MS, maxRetries: 0 });
}

class Fallback extends Error {
  constructor(
    readonly reason: string,
    readonly detail?: string,
  ) {
    super(reason);
  }
}

function explain(e: unknown, timeoutMs: number, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError }: OpenAIModule): Fallback {
  if (e instanceof Fallback) return e;
  const detail = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  const seconds = Math.round(timeoutMs / 100) / 10;
  if (e instanceof APIConnectionTimeoutError || e instanceof APIUserAbortError) return new Fallback(`timed out after ${seconds} s`, detail);
  if (e instanceof APIConnectionError) return new Fallback('could not reach the model API', detail);
  if (e instanceof APIError && e.status) return new Fallback(`model API returned HTTP ${e.status}`, detail);
  return new Fallback('unexpected error calling the model', detail);
}

/**
 * Guidance for an incident: the LLM's answer when configured and usable, otherwise the
 * deterministic guidance, saying which one the user got and why.
 */
export async function generateGuidance(config: GuidanceLlmConfig, ctx: GuidanceContext, deps: { client?: OpenAI } = {}): Promise<GuidanceResult> {
  const started = performance.now();
  const deterministic = buildGuidance(ctx);
  const client = deps.client ?? (await createGuidanceClient(config));
  if (!client) return { guidance: deterministic, latencyMs: 0 };

  const model = config.model || DEFAULT_GUIDANCE_MODEL;
  const timeoutMs = config.timeoutMs ?? DEFAULT_GUIDANCE_TIMEOUT_MS;
  const secrets = [config.apiKey ?? '', ...(config.redact ?? [])];
  const prompt = buildGuidancePrompt(ctx, secrets);
  // The client's timeout covers the response headers; this abort also bounds reading the body.
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs + 250);
  let tokens: number | undefined;
  try {
    const completion = await client.chat.completions.create(
      {
        model,
        messages: [
          { role: 'system', content: prompt.system },
          { role: 'user', content: prompt.user },
        ],
        response_format: { type: 'json_object' },
        max_completion_tokens: MAX_COMPLETION_TOKENS,
      },
      { timeout: timeoutMs, maxRetries: 0, signal: abort.signal },
    );
    tokens = completion.usage?.total_tokens;
    const content = completion.choices[0]?.message?.content;
    if (!content?.trim()) throw new Fallback('the model returned no answer');
    let json: unknown;
    try {
      json = JSON.parse(content);
    } catch (e) {
      throw new Fallback('the model returned invalid JSON', String(e));
    }
    const parsed = AnswerSchema.safeParse(json);
    if (!parsed.success) throw new Fallback('the model answer did not match the expected shape', parsed.error.message.slice(0, 500));
    const guidance = acceptModelAnswer(parsed.data as ModelAnswer, ctx, deterministic);
    if (!guidance) throw new Fallback('the model suggested no new actions');
    return { guidance, model: completion.model || model, promptVersion: GUIDANCE_PROMPT_VERSION, tokens, latencyMs: Math.round(performance.now() - started) };
  } catch (e) {
    const f = explain(e, timeoutMs, await loadOpenAI());
    return {
      guidance: deterministic,
      model,
      fallbackReason: f.reason,
      errorDetail: f.detail ? redactSecrets(f.detail, secrets).slice(0, 500) : undefined,
      promptVersion: GUIDANCE_PROMPT_VERSION,
      tokens,
      latencyMs: Math.round(performance.now() - started),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** The application's guidance drafter port: the model when `OPENAI_API_KEY` is set, else deterministic. */
export function createGuidanceDrafter(config: Config): GuidanceDrafterPort {
  const llm = modelConfigFrom(config);
  return { usesModel: !!llm.apiKey, generate: (ctx) => generateGuidance(llm, ctx) };
}
