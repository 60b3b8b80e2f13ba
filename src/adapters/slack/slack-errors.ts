/** What a failed Web API call means for delivery. Translated once here. */
export type SlackFailure =
  | { kind: 'rate_limited'; retryAfterMs: number }
  | { kind: 'transient'; error: string }
  | { kind: 'platform'; error: string };

/** Slack's own transient answers: worth another try. */
const TRANSIENT = ['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited', 'team_added_to_org'];

export function classifySlackError(e: unknown): SlackFailure {
  const err = e as { code?: string; retryAfter?: number; data?: { error?: string }; statusCode?: number; message?: string };
  if (err?.code === 'slack_webapi_rate_limited_error') return { kind: 'rate_limited', retryAfterMs: Math.max(1, err.retryAfter ?? 1) * 1000 };
  if (err?.code === 'slack_webapi_platform_error') {
    const code = err.data?.error ?? 'unknown_error';
    if (TRANSIENT.includes(code)) return { kind: 'transient', error: code };
    return { kind: 'platform', error: code };
  }
  // HTTP 5xx, timeouts, resets: Slack may or may not have acted, so the handler's retry path checks first.
  return { kind: 'transient', error: err?.code ? `${err.code}: ${err?.message ?? ''}`.trim() : (err?.message ?? String(e)) };
}

export const slackErrorCode = (e: unknown): string | undefined => (e as { data?: { error?: string } })?.data?.error;

/** What an operator should do about a permanent Slack refusal (logged with the failed effect). */
export function slackErrorHint(error: string): string | undefined {
  const code = error.split(':')[0];
  switch (code) {
    case 'channel_not_found':
      return 'The channel does not exist or the bot cannot see it: check the channel id (ANNOUNCE_CHANNEL, DIGEST_CHANNEL) and invite the bot.';
    case 'not_in_channel':
    case 'method_not_supported_for_channel_type':
      return 'The bot is not in that channel and cannot join it (private channel?): invite the bot with /invite.';
    case 'is_archived':
      return 'The channel is archived: unarchive it or point the setting at another channel.';
    case 'missing_scope':
      return 'The Slack app lacks a scope: reinstall it from manifest.yml.';
    case 'invalid_auth':
    case 'not_authed':
    case 'account_inactive':
    case 'token_revoked':
    case 'token_expired':
    case 'workspace_not_installed':
      return 'The bot token is no longer valid for this workspace: reinstall the app.';
    case 'restricted_action':
      return 'A workspace admin setting forbids this (for example, creating channels): ask an admin to allow it.';
    default:
      return undefined;
  }
}

/** Errors that mean "Slack could not be reached", as opposed to Slack answering with a refusal. */
const UNREACHABLE = new RegExp(
  [
    'slack_webapi_request_error',
    'request error occurred',
    'fetch failed',
    'ECONNREFUSED',
    'ECONNRESET',
    'ENOTFOUND',
    'EAI_AGAIN',
    'ETIMEDOUT',
    'socket hang up',
    'timed? ?out',
  ].join('|'),
  'i',
);
export const isSlackUnreachable = (error: string | undefined): boolean => UNREACHABLE.test(error ?? '');
