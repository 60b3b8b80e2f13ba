import { fail } from './slack-fake.errors';
import type { TokenlessContext } from './slack-fake-misc.methods';

/**
 * Socket Mode endpoints by app-level token (`xapp-…`). A Socket Mode server (tests/fakes/socket-mode-fake.ts)
 * registers here; `apps.connections.open` then hands out its WebSocket URL, as Slack does.
 */
export class SocketModeRegistry {
  private readonly byToken = new Map<string, () => string>();

  /** `url()` is called once per `apps.connections.open`: each answer may carry a fresh ticket. */
  register(appToken: string, url: () => string): () => void {
    this.byToken.set(appToken, url);
    return () => this.byToken.delete(appToken);
  }

  urlFor(appToken: string): string | undefined {
    return this.byToken.get(appToken)?.();
  }
}

export const socketModeMethods: Record<string, (ctx: TokenlessContext) => Record<string, unknown>> = {
  /** https://api.slack.com/methods/apps.connections.open: an app-level token only, answers `{ url }`. */
  'apps.connections.open': (ctx) => {
    if (!ctx.token) return fail('not_authed');
    // Bot and user tokens are refused by type; an unknown app token is invalid_auth.
    if (!ctx.token.startsWith('xapp-')) return fail('not_allowed_token_type');
    const url = ctx.state.socketMode.urlFor(ctx.token);
    if (!url) return fail('invalid_auth');
    return { url };
  },
};
