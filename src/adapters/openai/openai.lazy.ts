import type OpenAI from 'openai';
import type { ClientOptions } from 'openai';

export type OpenAIModule = typeof import('openai');

let loading: Promise<OpenAIModule> | undefined;

/**
 * The `openai` package (~150 modules, several MB of resident memory) is loaded at the first model call,
 * not at start: most installs run without `OPENAI_API_KEY` and never need it. The error classes come from
 * the same module instance the client was made from, so `instanceof` checks hold.
 */
export function loadOpenAI(): Promise<OpenAIModule> {
  loading ??= import('openai').catch((e: unknown) => {
    loading = undefined;
    throw e;
  });
  return loading;
}

/** A client made on first use and then reused, as the eager `new OpenAI(…)` was. */
export function lazyClient(options: ClientOptions): () => Promise<OpenAI> {
  let client: Promise<OpenAI> | undefined;
  return () => (client ??= loadOpenAI().then(({ default: Client }) => new Client(options)));
}
