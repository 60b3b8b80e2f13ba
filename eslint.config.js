// ESLint flat config: recommended rules (not type-checked, to stay fast) plus the layer boundaries of
// docs/ARCHITECTURE.md, enforced with no-restricted-imports per folder.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const DOMAIN = ['src/incidents', 'src/signals', 'src/watchlist', 'src/guidance', 'src/postmortems', 'src/shared', 'src/catalog', 'src/slos'];

// Relative imports are matched as written ('../../adapters/db/x'), so each layer is matched by folder name.
const domainBoundary = {
  group: ['**/app', '**/app/**', '**/adapters', '**/adapters/**'],
  message: 'Domain code is pure: it imports nothing from src/app or src/adapters (see docs/ARCHITECTURE.md).',
};
const appClients = {
  regex: '^(@slack/|@hono/|@octokit/|(hono|openai)(/|$))',
  message: 'Application services import no Slack/HTTP/OpenAI/GitHub client: declare a port next to the service.',
};
const appAdapters = {
  group: ['slack', 'slack-fake', 'http', 'openai', 'github'].flatMap((a) => [
    `**/adapters/${a}`,
    `**/adapters/${a}/**`,
  ]),
  message: 'Application services do not import the Slack/HTTP/OpenAI/GitHub adapters (src/adapters/db is allowed).',
};

export default tseslint.config(
  {
    ignores: ['node_modules/**', 'dist/**', 'data/**', 'coverage/**', 'test-artifacts/**', 'tests/fixtures/lint/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        URLSearchParams: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        clearImmediate: 'readonly',
        queueMicrotask: 'readonly',
        structuredClone: 'readonly',
        fetch: 'readonly',
        Response: 'readonly',
        Request: 'readonly',
        Headers: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        performance: 'readonly',
        crypto: 'readonly',
        Blob: 'readonly',
        FormData: 'readonly',
        WebSocket: 'readonly',
        document: 'readonly',
        window: 'readonly',
      },
    },
    rules: {
      // Control characters in patterns are deliberate here (sanitising outside text, placeholder marks).
      'no-control-regex': 'off',
      // `let x; const f = () => x; x = …` (a closure that needs the value it is assigned to) is fine.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // `_`-prefixed names are deliberately unused (positional parameters, destructured leftovers).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Tests poke at JSON payloads, and migrations take `Kysely<any>` as Kysely's migration docs advise.
    // (Older files still carry per-line disables for it; those are not reported as unused here.)
    files: ['tests/**/*.ts', 'migrations/**/*.ts'],
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The console's progressive scripts run in the browser (served as files, no build step).
    files: ['src/adapters/console/assets/**/*.js'],
    languageOptions: {
      globals: { window: 'readonly', document: 'readonly', EventSource: 'readonly', history: 'readonly', location: 'readonly', navigator: 'readonly', DOMParser: 'readonly', HTMLFormElement: 'readonly', fetch: 'readonly', requestAnimationFrame: 'readonly', performance: 'readonly' },
    },
  },
  {
    files: ['src/sandbox/assets/**/*.js'],
    languageOptions: {
      globals: { EventSource: 'readonly', history: 'readonly', location: 'readonly', navigator: 'readonly' },
    },
  },
  {
    files: DOMAIN.map((dir) => `${dir}/**/*.ts`),
    rules: { 'no-restricted-imports': ['error', { patterns: [domainBoundary] }] },
  },
  {
    files: ['src/app/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [appClients, appAdapters] }] },
  },
);
