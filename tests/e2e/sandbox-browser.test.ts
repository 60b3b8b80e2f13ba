import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/adapters/logger';
import { type RunningSandbox, startSandbox } from '../../src/sandbox/sandbox.start';
import { SANDBOX_TEAM_ID } from '../../src/sandbox/sandbox.config';
import { createTestDb, dialects, type TestDb } from '../helpers/test-db';
import { until } from '../helpers/wait';

/**
 * The sandbox as a new user meets it: a real headless Chromium on the page, the real bot behind it,
 * every click turned into a Slack-signed request to the bot's own /slack/events.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`\n[sandbox e2e] SKIPPED: no Chromium at ${CHROMIUM}. Install Debian's \`chromium\` (or set CHROMIUM_PATH) to run the browser tests.\n`);
}
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Polls a locator's text until it matches; the error shows what was there instead. */
async function waitText(loc: Locator, re: RegExp, timeoutMs = 10_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  let last: string;
  for (;;) {
    last = (await loc.count()) > 0 ? ((await loc.first().textContent()) ?? '') : '(no element)';
    if (re.test(last)) return last;
    if (Date.now() > end) throw new Error(`timed out waiting for ${re} — last text: ${last.slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}


describe.skipIf(!hasChromium).each(dialects())('sandbox in headless Chromium (%s)', (dialect) => {
  let tdb: TestDb;
  let sb: RunningSandbox;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  const send = async (text: string) => {
    await page.fill('#composer-text', text);
    await page.press('#composer-text', 'Enter');
  };
  const openChannel = async (name: string) => {
    const link = page.locator('#sidebar a.side-item', { hasText: name });
    await link.waitFor({ timeout: 10_000 });
    await link.click();
    await waitText(page.locator('#ch-header .ch-name'), new RegExp(name));
  };
  const summary = () => page.locator('#messages .msg.is-pinned');
  const incident = (n: number) => tdb.db.selectFrom('incidents').selectAll().where('org_id', '=', SANDBOX_TEAM_ID).where('number', '=', n).executeTakeFirst();

  beforeAll(async () => {
    tdb = await createTestDb(dialect);
    sb = await startSandbox({ PORT: '0', DATABASE_URL: tdb.url, LOG_LEVEL: 'silent' }, { db: tdb.db, snapshot: false, workerPollMs: 20, logger: createLogger('silent') });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(sb.sandboxUrl);
  });
  afterAll(async () => {
    await browser?.close();
    await sb?.stop();
    await tdb?.destroy();
  });

  it('is labelled as a sandbox and listens on loopback only', async () => {
    expect(await page.locator('.banner .tag').textContent()).toBe('SANDBOX');
    expect(sb.config.host).toBe('127.0.0.1');
    expect(sb.sandboxUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/sandbox$/);
    // A page on another site that resolves its own name to 127.0.0.1 (DNS rebinding) is refused.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      request(sb.sandboxUrl, { headers: { host: 'evil.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      }).on('error', reject).end();
    });
    expect(status).toBe(403);
  });

  it('declares an incident typed in the composer: its channel appears with the pinned summary', async () => {
    await send('/incident declare sev2 Checkout latency spike');
    await waitText(page.locator('#messages .msg.ephemeral'), /Declared INC-1 \(SEV2\): Checkout latency spike/);
    await openChannel('inc-1-checkout-latency-spike');
    const text = await waitText(summary(), /INC-1: Checkout latency spike/);
    expect(text).toMatch(/Open/);
    expect(text).toMatch(/SEV2/);
    expect(await summary().locator('.pinned').textContent()).toContain('Pinned');
  });

  it('`assign` and `status mitigated` change the pinned summary in place', async () => {
    const before = await incident(1);
    await send('/incident assign commander <@U0BOB|bob>');
    await waitText(summary(), /Commander@Bob Brown/);
    await send('/incident status mitigated Rolled back deploy 4411');
    await waitText(summary(), /Mitigated/);
    expect(await summary().count()).toBe(1); // edited, not re-posted
    expect(await summary().getAttribute('data-ts')).toBe(before?.summary_ts);
    expect((await incident(1))?.status).toBe('MITIGATED');
  });

  it("pressing the follow-up's Done button completes it", async () => {
    await send('/incident action Add an alert on checkout p99');
    const done = page.locator('#messages .msg:not(.ephemeral) button[data-action-id="action_done"]');
    await done.first().waitFor({ timeout: 10_000 });
    await waitText(summary(), /0\/1 follow-ups done/);
    await done.first().click();
    await waitText(summary(), /1\/1 follow-ups done/);
    const row = await tdb.db.selectFrom('incident_actions').select(['done', 'text']).where('org_id', '=', SANDBOX_TEAM_ID).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ done: 1, text: 'Add an alert on checkout p99' });
  });

  it('a :pushpin: reaction and the "Add to incident timeline" shortcut put messages on the timeline', async () => {
    await send('p99 jumped at 10:02 right after deploy 4411');
    const mine = page.locator('#messages .msg', { hasText: 'p99 jumped at 10:02' });
    await mine.waitFor();
    await mine.hover();
    await mine.locator('[data-react="pushpin"]').click();
    await waitText(mine.locator('.reactions'), /1/);
    await send('Rollback finished at 10:20');
    const second = page.locator('#messages .msg', { hasText: 'Rollback finished at 10:20' });
    await second.waitFor();
    await second.hover();
    await second.locator('[data-menu]').click();
    await second.locator('[data-shortcut="add_to_timeline"]').click();
    await waitText(page.locator('#messages .msg.ephemeral').last(), /Added to the timeline of INC-1/);
    const inc = await incident(1);
    const notes = await until(async () => {
      const rows = await tdb.db.selectFrom('incident_timeline').select('text').where('incident_id', '=', inc!.id).where('type', '=', 'NOTE_ADDED').execute();
      return rows.length === 2 ? rows : undefined;
    }, 'two timeline notes');
    expect(notes.map((n) => n.text).join('\n')).toMatch(/p99 jumped[\s\S]*Rollback finished|Rollback finished[\s\S]*p99 jumped/);
  });

  it('`declare` without a title opens the modal as a form; submitting it declares', async () => {
    await openChannel('general');
    await send('/incident declare');
    const form = page.locator('#modal-root form.modal');
    await form.waitFor({ timeout: 10_000 });
    expect(await form.locator('.modal-title').textContent()).toBe('Declare incident');
    await form.locator('button[type=submit]').click(); // empty required title: refused before sending, like Slack's client
    await waitText(form.locator('.error'), /required/);
    await form.locator('[data-block="title"]').fill('Search is slow');
    await form.locator('[data-block="severity"]').selectOption('SEV3');
    await form.locator('[data-block="service"]').fill('search');
    await form.locator('button[type=submit]').click();
    await until(async () => (await page.locator('#modal-root').isHidden()) || undefined, 'the modal to close');
    const inc = await until(() => incident(2), 'INC-2');
    expect(inc).toMatchObject({ title: 'Search is slow', severity: 'SEV3', service: 'search' });
    await page.locator('#sidebar a.side-item', { hasText: 'inc-2-search-is-slow' }).waitFor({ timeout: 10_000 });
  });

  it('a fired alert shows on the watchlist; a breached one opens an incident by itself', async () => {
    await page.click('[data-fire="alertmanager-latency"][data-phase="firing"]');
    await waitText(page.locator('#alert-log'), /alertmanager-latency firing → HTTP 202/);
    await page.click('[data-command="/incident watchlist"]');
    await waitText(page.locator('#messages .msg.ephemeral').last(), /checkout/);
    await page.click('[data-fire="grafana-errors"][data-phase="firing"]');
    await waitText(page.locator('#alert-log'), /grafana-errors firing → HTTP 202/);
    await page.locator('#sidebar a.side-item', { hasText: /inc-3-payments/ }).waitFor({ timeout: 10_000 });
    expect((await incident(3))?.title).toMatch(/Payments 5xx/);
  });

  it('"Run digest now" posts the watchlist digest to the digest channel', async () => {
    await page.click('#run-digest');
    await waitText(page.locator('#alert-log'), /digest → posted to/);
    await openChannel('sre');
    const digest = page.locator('#messages .msg:not(.system)').last();
    await waitText(digest, /checkout/);
    expect(await digest.textContent()).toMatch(/prod/);
  });

  it('switching user changes what you may do: dave (viewer) cannot change severity', async () => {
    await openChannel('inc-1-checkout-latency-spike');
    await page.selectOption('#users', 'U0DAVE');
    await waitText(page.locator('#users option:checked'), /Dave Diaz — viewer/);
    await send('/incident severity sev1');
    await waitText(page.locator('#messages .msg.ephemeral').last(), /Only an SRE lead, an admin or the incident commander can change the severity/);
    expect((await incident(1))?.severity).toBe('SEV2');
    expect(pageErrors).toEqual([]);
    if (process.env.SANDBOX_SCREENSHOT) {
      await page.selectOption('#users', 'U0ALICE');
      await summary().scrollIntoViewIfNeeded();
      await page.screenshot({ path: process.env.SANDBOX_SCREENSHOT });
    }
  });
});
