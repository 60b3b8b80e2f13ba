import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browserless, type ConsoleHarness, startConsoleHarness } from '../helpers/console-harness';
import { dialects } from '../helpers/test-db';
import { until } from '../helpers/wait';

/**
 * The console in a real headless Chromium: Sign in with Slack through the fake's OIDC pages, the incident
 * list and page, actions through the shared services (the pinned Slack summary is edited), live updates
 * over SSE from a signed Slack command, axe-core on every page, and who sees nothing.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`\n[console e2e] SKIPPED: no Chromium at ${CHROMIUM}. Install Debian's \`chromium\` (or set CHROMIUM_PATH) to run the console browser tests.\n`);
}
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const AXE = readFileSync('node_modules/axe-core/axe.min.js', 'utf8');

interface AxeViolation { id: string; impact: string | null; help: string; nodes: Array<{ target: string[] }> }

/** axe-core evaluated through the DevTools protocol (the page's CSP forbids injected script tags, rightly). */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const result = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] })`)) as { violations: AxeViolation[] };
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe.skipIf(!hasChromium).each(dialects())('console in headless Chromium (%s)', (dialect) => {
  let h: ConsoleHarness;
  let browser: Browser;
  let page: Page;
  let id: string;
  const errors: string[] = [];
  const checked: string[] = [];

  const axeClean = async (what: string) => {
    expect(await seriousViolations(page), what).toEqual([]);
    checked.push(what);
  };

  beforeAll(async () => {
    h = await startConsoleHarness(dialect, { U0002: 'sre_lead' });
    await h.command('declare sev2 Checkout latency spike');
    await h.command('declare sev3 <script>alert(1)</script> "><img src=x onerror=alert(2)>');
    await h.settle();
    id = (await h.tdb.db.selectFrom('incidents').select('id').where('number', '=', 1).executeTakeFirstOrThrow()).id;
    const channel = (await h.app.deps.incidents.load('T0001', id)).channelId!;
    await h.command('assign commander <@U0002>', { channel });
    await h.command('action Add a canary stage to the checkout deploy', { channel });
    await h.settle();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('dialog', (d) => {
      errors.push(`dialog opened: ${d.message()}`);
      void d.dismiss();
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('signs in with Slack (OIDC against the fake) and lands on the incident list', async () => {
    await page.goto(`${h.app.url}/console`);
    expect(page.url()).toContain('/console/sign-in');
    await axeClean('sign-in');
    await page.click('text=Sign in with Slack');
    await page.waitForURL(/openid\/connect\/authorize/);
    await page.click('button[data-user="U0002"]');
    await page.waitForURL(/\/console\/orgs\/T0001\/incidents$/);
    await page.locator('table.incidents').waitFor();
    expect(await page.textContent('table.incidents')).toContain('Checkout latency spike');
    expect(await page.textContent('.who')).toContain('Bob Brown');
    await axeClean('incident list');
  }, 60_000);

  it('opens an incident, posts a note and changes status: the Slack fake shows the pinned summary edited', async () => {
    await page.click('text=Checkout latency spike');
    await page.waitForURL(new RegExp(`/incidents/${id}$`));
    await axeClean('incident page');
    const summaryTs = (await h.app.deps.incidents.load('T0001', id)).summaryTs!;
    const edits = () => h.slack.callsTo('chat.update').filter((c) => c.params.ts === summaryTs && c.response.ok === true);
    const before = edits().length;
    await page.fill('#note-text', 'Suspect the v42 deploy; rolling back');
    await page.click('button:has-text("Add note")');
    await page.waitForURL(/done=note/);
    expect(await page.textContent('#timeline')).toContain('Suspect the v42 deploy; rolling back');
    await page.selectOption('#status-to', 'MITIGATED');
    await page.fill('#status-msg', 'Rollback complete');
    await page.click('button:has-text("Change status")');
    await page.waitForURL(/done=status/);
    expect(await page.textContent('[data-field="status"]')).toBe('MITIGATED');
    await until(() => edits().length > before && JSON.stringify(edits().at(-1)!.params).toLowerCase().includes('mitigated'), 'pinned summary edited to mitigated');
    await axeClean('incident page after actions');
  }, 60_000);

  it('an event sent through Slack appears on the open page without a reload (SSE)', async () => {
    await until(async () => (await page.evaluate('document.body.dataset.live')) === 'connected', 'live stream connected');
    await page.evaluate('window.marker = 42');
    const channel = (await h.app.deps.incidents.load('T0001', id)).channelId!;
    expect((await h.command('note Database failover finished', { channel })).status).toBe(200);
    await page.locator('#timeline li', { hasText: 'Database failover finished' }).waitFor({ timeout: 15_000 });
    expect(await page.evaluate('window.marker')).toBe(42);
    expect(await page.locator('#timeline li.fresh').count()).toBeGreaterThan(0);
    mkdirSync('docs', { recursive: true });
    await page.screenshot({ path: 'docs/console-incident.png', fullPage: true });
  }, 60_000);

  it('the list updates live too, and every other page passes axe', async () => {
    await page.goto(`${h.app.url}/console/orgs/T0001/incidents`);
    await until(async () => (await page.evaluate('document.body.dataset.live')) === 'connected', 'list stream connected');
    await h.command('declare sev1 Payments are down');
    await page.locator('table.incidents', { hasText: 'Payments are down' }).waitFor({ timeout: 15_000 });
    for (const p of ['watchlist', 'deployments', 'postmortems']) {
      await page.goto(`${h.app.url}/console/orgs/T0001/${p}`);
      await axeClean(p);
    }
    const hostile = (await h.tdb.db.selectFrom('incidents').select('id').where('number', '=', 2).executeTakeFirstOrThrow()).id;
    await page.goto(`${h.app.url}/console/orgs/T0001/incidents/${hostile}`);
    expect(await page.locator('h1').textContent()).toContain('<script>alert(1)</script>');
    expect(await page.locator('main img').count()).toBe(0);
    await axeClean('hostile incident page');
    expect(errors).toEqual([]);
    expect(checked.length).toBeGreaterThanOrEqual(8);
  }, 90_000);

  it("a signed-out browser and another workspace's user see nothing", async () => {
    const anon = await browser.newContext();
    const p1 = await anon.newPage();
    await p1.goto(`${h.app.url}/console/orgs/T0001/incidents/${id}`);
    expect(p1.url()).toContain('/console/sign-in');
    expect(await p1.content()).not.toContain('Checkout latency spike');
    await p1.click('text=Sign in with Slack');
    await p1.click('button[data-user="U0900"]');
    await p1.waitForURL(/\/console\/orgs\/T0OTHER\/incidents$/);
    expect(await p1.content()).not.toContain('Checkout latency spike');
    const r = await p1.goto(`${h.app.url}/console/orgs/T0001/incidents/${id}`);
    expect(r?.status()).toBe(404);
    expect(await p1.content()).not.toContain('Checkout latency spike');
    await anon.close();
    // The same over plain HTTP with a tampered cookie.
    const b = new Browserless(h.app.url);
    await b.signIn('T0001', 'U0002');
    b.cookies.set('revenant_console', `${b.cookies.get('revenant_console')!.slice(0, -3)}abc`);
    expect((await b.fetch(`/console/orgs/T0001/incidents/${id}`)).status).toBe(302);
  }, 60_000);
});
