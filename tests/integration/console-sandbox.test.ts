import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/adapters/logger';
import { type RunningSandbox, startSandbox } from '../../src/sandbox/sandbox.start';
import { Browserless } from '../helpers/console-harness';
import { createTestDb, type TestDb } from '../helpers/test-db';

/** The sandbox serves the console, and its people sign in for real against the sandbox's Slack fake. */
describe('console in the sandbox', () => {
  let tdb: TestDb;
  let sb: RunningSandbox;

  beforeAll(async () => {
    tdb = await createTestDb('sqlite');
    sb = await startSandbox({ PORT: '0', DATABASE_URL: tdb.url, LOG_LEVEL: 'silent' }, { db: tdb.db, snapshot: false, workerPollMs: 20, logger: createLogger('silent') });
  }, 60_000);
  afterAll(async () => {
    await sb?.stop();
    await tdb?.destroy();
  });

  it('carol and dave sign in with the sandbox Slack and each sees their own role', async () => {
    expect(sb.config.console.sessionSecret).toHaveLength(64);
    expect(sb.config.console.oidc.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const carol = new Browserless(sb.url);
    const res = await carol.signIn('T0SANDBOX', 'U0CAROL');
    expect(res.headers.get('location')).toBe('/console/orgs/T0SANDBOX/incidents');
    const html = await (await carol.fetch('/console/orgs/T0SANDBOX/incidents')).text();
    expect(html).toContain('Carol Chen');
    expect(html).toContain('(responder)');
    expect(html).toContain('Revenant Sandbox');
    const dave = new Browserless(sb.url);
    await dave.signIn('T0SANDBOX', 'U0DAVE');
    expect(await (await dave.fetch('/console/orgs/T0SANDBOX/incidents')).text()).toContain('(viewer)');
  });
});
