import type { FakeTeamInput } from './slack-fake.types';

/** An app that can exchange codes (Slack's "Basic Information" credentials). */
export interface FakeOAuthApp {
  clientId: string;
  clientSecret: string;
  /** One app id across every workspace it is installed in, as on Slack. */
  appId?: string;
}

/** What the user approved on Slack's authorize page; the redirect hands the app a code for it. */
export interface FakeOAuthGrant {
  /** The workspace; created with a freshly issued bot token on first exchange. */
  team: Omit<FakeTeamInput, 'botToken'>;
  scopes: string[];
  /** The user who clicked Allow (`authed_user.id`). */
  installerUserId: string;
  /** When the authorize URL carried a redirect_uri, the exchange must repeat it. */
  redirectUri?: string;
}

/** Apps and one-time codes for oauth.v2.access. Codes are consumed by the first exchange, as on Slack. */
export class FakeOAuthRegistry {
  readonly apps = new Map<string, FakeOAuthApp>();
  private readonly codes = new Map<string, FakeOAuthGrant>();

  registerApp(app: FakeOAuthApp): void {
    this.apps.set(app.clientId, app);
  }

  registerCode(code: string, grant: FakeOAuthGrant): void {
    this.codes.set(code, grant);
  }

  takeCode(code: string): FakeOAuthGrant | undefined {
    const grant = this.codes.get(code);
    this.codes.delete(code);
    return grant;
  }
}
