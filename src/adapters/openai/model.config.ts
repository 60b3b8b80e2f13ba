import type { Config } from '../../config';
import { configSecrets } from '../logger';

/** How to reach the model, shared by guidance and postmortem drafting. */
export interface ModelConfig {
  /** Without a key, drafting is deterministic and says "no AI configured". */
  apiKey?: string;
  /** `OPENAI_BASE_URL`; undefined uses the library default. */
  baseURL?: string;
  model?: string;
  timeoutMs?: number;
  /**
   * Secret values the process holds (Slack tokens, signing secret, GitHub token…): scrubbed from the
   * prompt in case one was pasted into incident text. The API key is always included.
   */
  redact?: readonly string[];
}

/** The `OPENAI_*` settings, with the one list of configured secrets (the API key among them) to redact. */
export function modelConfigFrom(config: Config): ModelConfig {
  const { apiKey, baseUrl, model, timeoutMs } = config.openai;
  return { apiKey, baseURL: baseUrl, model, timeoutMs, redact: configSecrets(config) };
}
