import type { Child } from 'hono/jsx';
import type { ConsoleUser } from './console-session';

export type NavKey = 'incidents' | 'watchlist' | 'deployments' | 'postmortems' | 'insights';

export const NAV: ReadonlyArray<{ key: NavKey; label: string; path: string }> = [
  { key: 'incidents', label: 'Incidents', path: 'incidents' },
  { key: 'watchlist', label: 'Watchlist & health', path: 'watchlist' },
  { key: 'deployments', label: 'Deployments', path: 'deployments' },
  { key: 'postmortems', label: 'Postmortems', path: 'postmortems' },
  { key: 'insights', label: 'Insights', path: 'insights' },
];

/** `/console/orgs/<org>/<rest>`, with the org id URL-encoded. */
export const orgPath = (orgId: string, rest = '') => `/console/orgs/${encodeURIComponent(orgId)}${rest ? `/${rest}` : ''}`;

export interface LayoutProps {
  title: string;
  /** Absent on the sign-in page. */
  user?: ConsoleUser;
  active?: NavKey;
  /** The session's CSRF token (sign-out form); given with `user`. */
  csrf?: string;
  /** Extra static scripts (served from /console/assets), loaded deferred: never inline (CSP). */
  scripts?: string[];
  children?: Child;
}

/**
 * Every console page: skip link, banner with the workspace switcher, nav, main. Text children are
 * escaped by hono/jsx; nothing here takes raw HTML.
 */
export function Layout({ title, user, active, csrf, scripts = [], children }: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · Revenant console`}</title>
        <link rel="stylesheet" href="/console/assets/console.css" />
        <script src="/console/assets/console.js" defer></script>
        {scripts.map((s) => (
          <script src={`/console/assets/${s}`} defer></script>
        ))}
      </head>
      <body>
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        <header class="banner" role="banner">
          <a class="brand" href="/console">
            Revenant
          </a>
          {user && <Switcher user={user} />}
          {user && (
            <form class="sign-out" method="post" action="/console/sign-out">
              <input type="hidden" name="_csrf" value={csrf ?? ''} />
              <span class="who">
                {user.name ?? user.userId} <span class="role">({user.role.replace('_', ' ')})</span>
              </span>
              <button type="submit">Sign out</button>
            </form>
          )}
        </header>
        {user && (
          <nav class="main-nav" aria-label="Console">
            <ul>
              {NAV.map((n) => (
                <li>
                  <a href={orgPath(user.orgId, n.path)} aria-current={n.key === active ? 'page' : undefined}>
                    {n.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        )}
        <main id="main" tabindex={-1}>
          <h1>{title}</h1>
          {children}
        </main>
      </body>
    </html>
  );
}

/** The workspaces this browser signed in with; only those, never any other. */
function Switcher({ user }: { user: ConsoleUser }) {
  if (user.workspaces.length < 2) return <span class="workspace">{user.teamName ?? user.orgId}</span>;
  return (
    <nav class="switcher" aria-label="Workspaces">
      <ul>
        {user.workspaces.map((w) => (
          <li>
            <a href={orgPath(w.orgId, 'incidents')} aria-current={w.orgId === user.orgId ? 'true' : undefined}>
              {w.teamName ?? w.orgId}
            </a>
          </li>
        ))}
      </ul>
      <a class="add-workspace" href="/console/sign-in">
        Add a workspace
      </a>
    </nav>
  );
}

/** A page-level notice (role refusals, errors); `role="alert"` only for errors. */
export function Notice({ kind, children }: { kind: 'error' | 'info'; children?: Child }) {
  return (
    <p class={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </p>
  );
}
