/** What a failed Web API call means for delivery. Translated once here. */
export type SlackFailure =
  | { kind: 'rate_limited'; retryAfterMs: number }
  | { kind: 'transient'; error: string }
  | { kind: 'platform'; error: string };

export function classifySlackError(e: unknown): SlackFailure {
  const err = e as { code?: string; retryAfter?: number; data?: { error?: string }; statusCode?: number; message?: string };
  if (err?.code === 'slack_webapi_rate_limited_error') return { kind: 'rate_limited', retryAfterMs: Math.max(1, err.retryAfter ?? 1) * 1000 };
  if (err?.code === 'slack_webapi_platform_error') {
    const code = err.data?.error ?? 'unknown_error';
    // Slack's own transient answers: worth another try.
    if (['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited'].includes(code)) return { kind: 'transient', error: code };
    return { kind: 'platform', error: code };
  }
  return { kind: 'transient', error: err?.message ?? String(e) };
}

export const slackErrorCode = (e: unknown): string | undefined => (e as { data?: { error?: string } })?.data?.error;
