import type OpenAI from 'openai';
import { z } from 'zod';
import type { CatchupSummarizerPort, CatchupSummary } from '../../app/catchup.service';
import { buildCatchupPrompt } from '../../catchup/catchup.prompt';
import type { Config } from '../../config';
import { type ModelConfig, modelConfigFrom } from './model.config';
import { lazyClient, loadOpenAI, type OpenAIModule } from './openai.lazy';

export const DEFAULT_CATCHUP_MODEL = 'gpt-4o-mini';
/** The person waits behind an ack: a slow model gives way to the digest quickly. */
export const DEFAULT_CATCHUP_TIMEOUT_MS = 15_000;
const MAX_COMPLETION_TOKENS = 800;

// Strict: a summary that is not prose of sensible length is garbage, and the digest stands alone.
const AnswerSchema = z.object({
  summary: z.string().trim().min(20).max(3000),
  open_questions: z.array(z.string().trim().min(1).max(300)).max(5).catch([]),
});

function reasonOf(e: unknown, timeoutMs: number, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError }: OpenAIModule): string {
  if (e instanceof APIConnectionTimeoutError || e instanceof APIUserAbortError)
    return `the model timed out after ${Math.round(timeoutMs / 100) / 10} s`;
  if (e instanceof APIConnectionError) return 'the model API could not be reached';
  if (e instanceof APIError && e.status) return `the model API returned HTTP ${e.status}`;
  return 'the model call failed unexpectedly';
}

/** Summaries through an OpenAI-compatible chat completion; every failure is a reason, never a throw. */
export function createCatchupSummarizer(cfg: ModelConfig, deps: { client?: OpenAI } = {}): CatchupSummarizerPort {
  const timeoutMs = cfg.timeoutMs ?? DEFAULT_CATCHUP_TIMEOUT_MS;
  const injected = deps.client;
  const client = injected
    ? async () => injected
    : cfg.apiKey
      ? lazyClient({ apiKey: cfg.apiKey, baseURL: cfg.baseURL || undefined, timeout: timeoutMs, maxRetries: 0 })
      : undefined;
  const model = cfg.model || DEFAULT_CATCHUP_MODEL;
  const secrets = [cfg.apiKey ?? '', ...(cfg.redact ?? [])];
  return {
    usesModel: !!client,
    async summarize(digest, messages): Promise<CatchupSummary> {
      if (!client) return { ok: false, reason: 'no AI model is configured' };
      const prompt = buildCatchupPrompt(digest, messages, secrets);
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), timeoutMs + 250);
      try {
        const completion = await (await client()).chat.completions.create(
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
        const content = completion.choices[0]?.message?.content;
        if (!content?.trim()) return { ok: false, model, reason: 'the model returned no answer' };
        let json: unknown;
        try {
          json = JSON.parse(content);
        } catch {
          return { ok: false, model, reason: 'the model returned something that is not JSON' };
        }
        const parsed = AnswerSchema.safeParse(json);
        if (!parsed.success) return { ok: false, model, reason: 'the model answer did not have the expected shape' };
        return {
          ok: true,
          summary: parsed.data.summary,
          openQuestions: parsed.data.open_questions,
          model: completion.model || model,
          tokens: completion.usage?.total_tokens,
        };
      } catch (e) {
        return { ok: false, model, reason: reasonOf(e, timeoutMs, await loadOpenAI()) };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** The application's port: the model when OPENAI_API_KEY is set, else the digest alone. */
export const createCatchupSummarizerPort = (config: Config) => createCatchupSummarizer(modelConfigFrom(config));
