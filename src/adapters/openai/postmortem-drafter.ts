import type OpenAI from 'openai';
import type { PostmortemDrafterPort } from '../../app/postmortem.service';
import type { Config } from '../../config';
import { type PostmortemInput, draftPostmortem } from '../../postmortems/postmortem.markdown';
import { type NarrativeAnswer, type NarrativeInput, buildNarrativePrompt, parseNarrative } from '../../postmortems/postmortem.narrative';
import { type ModelConfig, modelConfigFrom } from './model.config';
import { lazyClient, loadOpenAI } from './openai.lazy';

// Same default as guidance, so one OPENAI_MODEL choice covers both.
export const DEFAULT_POSTMORTEM_MODEL = 'gpt-4o-mini';
/** Drafting runs after the Slack ack, but a person is waiting on the button: fall back quickly. */
export const DEFAULT_POSTMORTEM_TIMEOUT_MS = 20_000;
const MAX_COMPLETION_TOKENS = 2000;

export type PostmortemDrafterConfig = ModelConfig;

/** Exact known secrets out of a text; short values are skipped so common words are not mangled. */
export function scrubValues(text: string, secrets: readonly string[]): string {
  return secrets.filter((v) => v && v.length >= 8).reduce((t, v) => t.split(v).join('[redacted]'), text);
}

export interface NarrativeDraft {
  narrative: NarrativeAnswer;
  model: string;
  tokens?: number;
  promptVersion: string;
}

/** Why the model's narrative was not used; logged, and shown to nobody but operators. */
export type NarrativeFailure = 'timeout' | 'connection' | 'http_error' | 'empty' | 'malformed';

export interface PostmortemDrafter {
  readonly model: string;
  /** The narrative, or null on any failure (the caller then uses the deterministic draft). */
  draftNarrative(input: NarrativeInput, onFailure?: (reason: NarrativeFailure, detail: string) => void): Promise<NarrativeDraft | null>;
}

/** Null without an API key: the product then drafts deterministically. */
export function createPostmortemDrafter(cfg: PostmortemDrafterConfig): PostmortemDrafter | null {
  if (!cfg.apiKey?.trim()) return null;
  const model = cfg.model?.trim() || DEFAULT_POSTMORTEM_MODEL;
  // No retries: a retry would double the wait, and the deterministic draft is always available.
  const client = lazyClient({
    apiKey: cfg.apiKey,
    baseURL: cfg.baseURL || undefined,
    timeout: cfg.timeoutMs ?? DEFAULT_POSTMORTEM_TIMEOUT_MS,
    maxRetries: 0,
  });

  return {
    model,
    async draftNarrative(input, onFailure) {
      const prompt = buildNarrativePrompt(input);
      const secrets = [cfg.apiKey ?? '', ...(cfg.redact ?? [])];
      const fail = (reason: NarrativeFailure, detail: string) => {
        onFailure?.(reason, detail);
        return null;
      };
      let completion: OpenAI.Chat.Completions.ChatCompletion;
      try {
        completion = await (await client()).chat.completions.create({
          model,
          messages: [
            { role: 'system', content: prompt.system },
            { role: 'user', content: scrubValues(prompt.user, secrets) },
          ],
          response_format: { type: 'json_object' },
          max_completion_tokens: MAX_COMPLETION_TOKENS,
        });
      } catch (e) {
        const { APIConnectionTimeoutError, APIError } = await loadOpenAI();
        if (e instanceof APIConnectionTimeoutError) return fail('timeout', 'the model did not answer in time');
        const detail = scrubValues(e instanceof Error ? e.message : String(e), secrets).slice(0, 300);
        if (e instanceof APIError && e.status) return fail('http_error', `HTTP ${e.status}: ${detail}`);
        return fail('connection', detail);
      }
      const content = completion.choices?.[0]?.message?.content;
      if (!content?.trim()) return fail('empty', 'the model returned no content');
      const narrative = parseNarrative(content);
      if (!narrative) return fail('malformed', 'the answer was not the expected JSON object');
      return {
        narrative,
        model: completion.model || model,
        tokens: completion.usage?.total_tokens,
        promptVersion: prompt.version,
      };
    },
  };
}

export interface GeneratedPostmortem {
  markdown: string;
  generator: 'llm' | 'deterministic';
  model?: string;
  tokens?: number;
  promptVersion?: string;
  /** Set when a drafter was configured but its narrative could not be used. */
  fallback?: { reason: NarrativeFailure; detail: string };
}

/**
 * The draft the product posts: with the model's narrative when it answers well, else the
 * deterministic draft with prompts for the team. Never throws for model trouble.
 */
export async function generatePostmortem(drafter: PostmortemDrafter | null, input: PostmortemInput): Promise<GeneratedPostmortem> {
  if (!drafter) return { markdown: draftPostmortem(input), generator: 'deterministic' };
  let fallback: GeneratedPostmortem['fallback'];
  const draft = await drafter.draftNarrative(input, (reason, detail) => {
    fallback = { reason, detail };
  });
  if (!draft) return { markdown: draftPostmortem(input), generator: 'deterministic', fallback };
  return {
    markdown: draftPostmortem({ ...input, narrative: draft.narrative }),
    generator: 'llm',
    model: draft.model,
    tokens: draft.tokens,
    promptVersion: draft.promptVersion,
  };
}

/** The application's drafter port: the model when `OPENAI_API_KEY` is set, else deterministic. */
export function createPostmortemDrafterPort(config: Config): PostmortemDrafterPort {
  const drafter = createPostmortemDrafter(modelConfigFrom(config));
  return { usesModel: !!drafter, draft: (input) => generatePostmortem(drafter, input) };
}
