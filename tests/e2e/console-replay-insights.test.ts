import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendEvents, loadEvents } from '../../src/adapters/db/event-store';
import { rebuildProjections } from '../../src/adapters/db/rebuild';
import { evolve } from '../../src/incidents/incident.decider';
import { type IncidentEvent, type IncidentEventData, initialState } from '../../src/incidents/incident.types';
import { type ConsoleHarness, startConsoleHarness } from '../helpers/console-harness';
import { dialects } from '../helpers/test-db';
import { until } from '../helpers/wait';
import { NOW, fortyIncidents, incident } from '../unit/insights/insights.fixture';

/**
 * Timeline replay and insights in a real headless Chromium, signed in with Slack through the fake's OIDC pages.
 * The log: the 40-incident insights fixture moved to the present, plus one incident to replay (40 minutes,
 * declaration to resolution, hostile text in a note and an update).
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium)
  console.warn(
    `\n[replay/insights e2e] SKIPPED: no Chromium at ${CHROMIUM} (install Debian's chromium or set CHROMIUM_PATH).\n`,
  );
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const AXE = readFileSync('node_modules/axe-core/axe.min.js', 'utf8');
const MIN = 60_000;
const HOSTILE = '<script>alert(1)</script> "><img src=x onerror=alert(2)> <javascript:alert(3)|x>';

async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const result = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] })`)) as {
    violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: string[] }> }>;
  };
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

const REPLAY_ID = 'inc-replay';
const declaredAt = Date.now() - 2 * 3_600_000;
const step = (m: number, actor: string, data: IncidentEventData): [number, string, IncidentEventData] => [
  m,
  actor,
  data,
];
const signal = {
  signalId: 's1',
  fingerprint: 'fp-checkout',
  service: 'checkout',
  environment: 'production',
  title: 'Checkout 5xx 7%',
  risk: 'BREACHED' as const,
  status: 'firing' as const,
  source: 'alertmanager',
};

describe.skipIf(!hasChromium).each(dialects())('timeline replay and insights in headless Chromium (%s)', (dialect) => {
  let h: ConsoleHarness;
  let browser: Browser;
  let page: Page;
  let log: IncidentEvent[];
  const errors: string[] = [];
  const replayUrl = () => `${h.app.url}/console/orgs/T0001/incidents/${REPLAY_ID}/replay`;
  const field = (name: string) => page.locator(`#replay-summary [data-field="${name}"]`).textContent();
  /** The test's own fold of the log up to t (not the page's code). */
  const foldTo = (t: number) =>
    log.filter((e) => Date.parse(e.occurredAt) <= t).reduce(evolve, initialState(REPLAY_ID, 'T0001'));
  const scrubTo = async (seconds: number) => {
    await page.locator('#replay-scrub').fill(String(seconds));
    await until(
      async () => (await page.locator('#replay-offset').textContent()) === `+${seconds} s`,
      `scrubbed to ${seconds}`,
    );
  };

  beforeAll(async () => {
    h = await startConsoleHarness(dialect, { U0002: 'sre_lead' });
    const shift = Date.now() - NOW.getTime();
    const moved = fortyIncidents('T0001').map((events) =>
      events.map((e) => ({ ...e, occurredAt: new Date(Date.parse(e.occurredAt) + shift).toISOString() })),
    );
    const replay = incident({
      id: REPLAY_ID,
      severity: 'SEV2',
      service: 'checkout',
      createdAt: declaredAt,
      by: 'U0001',
      steps: [
        step(1, 'connector:am', { type: 'SIGNAL_ATTACHED', signal }),
        step(3, 'U0002', { type: 'ASSIGNEE_CHANGED', role: 'commander', userId: 'U0002' }),
        step(5, 'U0002', { type: 'STATUS_CHANGED', from: 'OPEN', to: 'INVESTIGATING' }),
        step(10, 'U0002', { type: 'NOTE_ADDED', text: `Rolled back v42 ${HOSTILE}` }),
        step(12, 'U0002', { type: 'ACTION_ADDED', actionId: 'replay-a1', text: 'Add a canary stage' }),
        step(15, 'U0002', { type: 'UPDATE_POSTED', text: `Error rate falling ${HOSTILE}` }),
        step(18, 'U0002', { type: 'ASSIGNEE_CHANGED', role: 'comms', userId: 'U0003' }),
        step(25, 'U0002', { type: 'STATUS_CHANGED', from: 'INVESTIGATING', to: 'MITIGATED' }),
        step(28, 'connector:am', { type: 'SIGNAL_RESOLVED', fingerprint: 'fp-checkout' }),
        step(35, 'U0002', { type: 'ACTION_COMPLETED', actionId: 'replay-a1' }),
        step(40, 'U0002', { type: 'STATUS_CHANGED', from: 'MITIGATED', to: 'RESOLVED' }),
      ],
    });
    // A private incident of someone else's, older than any window: its replay must not exist for bob.
    const secret = incident({
      id: 'inc-secret',
      severity: 'SEV1',
      service: 'vault',
      createdAt: Date.now() - 200 * 86_400_000,
      by: 'U0005',
      steps: [step(1, 'U0005', { type: 'NOTE_ADDED', text: 'Vault keys rotated' })],
      extra: { visibility: 'private' } as Partial<IncidentEventData>,
    });
    await h.tdb.db.transaction().execute(async (trx) => {
      for (const events of [...moved, replay, secret]) await appendEvents(trx, events);
    });
    await rebuildProjections(h.tdb.db);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
    page.on('pageerror', (e) => errors.push(String(e)));
    // A blocked inline script or style would show up here: the pages must live within the console's CSP.
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) errors.push(`CSP: ${m.text()}`);
    });
    page.on('dialog', (d) => {
      errors.push(`dialog opened: ${d.message()}`);
      void d.dismiss();
    });
    await page.goto(`${h.app.url}/console`);
    await page.click('text=Sign in with Slack');
    await page.waitForURL(/openid\/connect\/authorize/);
    await page.click('button[data-user="U0002"]');
    await page.waitForURL(/\/console\/orgs\/T0001\/incidents$/);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('at the declaration the panel shows OPEN with no roles; scrubbing to the end shows RESOLVED with the commander', async () => {
    await page.goto(replayUrl());
    log = await loadEvents(h.tdb.db, 'T0001', REPLAY_ID);
    expect(await field('status')).toBe('OPEN');
    for (const role of ['commander', 'comms', 'scribe']) expect(await field(role)).toBe('—');
    // The declaration and the bot's bookkeeping of that same instant have happened; nothing else has.
    expect(await page.locator('#replay-events li', { hasText: 'declared' }).getAttribute('class')).toBe('is-past');
    expect(await page.locator('#replay-events li.is-past, #replay-events li.is-current').count()).toBe(3);
    expect(await page.locator('#replay-play').isVisible()).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
    await scrubTo(40 * 60);
    expect(await field('status')).toBe('RESOLVED');
    expect(await field('commander')).toBe('@U0002');
    expect(await field('comms')).toBe('@U0003');
    expect(await page.locator('#replay-events li.is-current').textContent()).toContain('mitigated → resolved');
    // Shareable: the address now names this moment.
    expect(decodeURIComponent(page.url())).toContain(`?t=${new Date(declaredAt + 40 * MIN).toISOString()}`);
  }, 60_000);

  it('the event list and the summary agree with a fold of the log at 5 sampled instants', async () => {
    await page.goto(replayUrl());
    for (const minutes of [2, 4, 11, 26.5, 36]) {
      const t = declaredAt + minutes * MIN;
      await scrubTo(minutes * 60);
      const s = foldTo(t);
      const happened = log.filter((e) => Date.parse(e.occurredAt) <= t);
      expect(await field('status'), `status at +${minutes} min`).toBe(s.status);
      expect(await field('severity')).toBe(s.severity);
      expect(await field('commander')).toBe(s.roles.commander ? `@${s.roles.commander}` : '—');
      expect(await field('comms')).toBe(s.roles.comms ? `@${s.roles.comms}` : '—');
      expect(await field('followups')).toBe(
        `${s.actions.filter((a) => !a.done).length} open, ${s.actions.filter((a) => a.done).length} done`,
      );
      expect(await field('signals')).toBe(
        `${s.signals.filter((x) => x.status === 'firing').length} firing of ${s.signals.length}`,
      );
      expect(await field('update')).toBe(s.lastUpdateText ?? '—');
      const past = await page.locator('#replay-events li.is-past, #replay-events li.is-current').count();
      expect(past, `events happened by +${minutes} min`).toBe(happened.length);
      expect(await page.locator('#replay-events li.is-current').getAttribute('data-seq')).toBe(
        String(happened.at(-1)!.seq),
      );
      if (minutes === 26.5) {
        mkdirSync('docs', { recursive: true });
        await page.screenshot({ path: 'docs/console-replay.png', fullPage: true });
      }
    }
  }, 90_000);

  it('?t= is rendered by the server (no script), a bad ?t= is a clear 400, hostile text stays inert', async () => {
    const noJs = await browser.newContext({ javaScriptEnabled: false });
    await noJs.addCookies(await page.context().cookies());
    const p = await noJs.newPage();
    const at = new Date(declaredAt + 20 * MIN).toISOString();
    await p.goto(`${replayUrl()}?t=${at}`);
    expect(await p.locator('#replay-summary [data-field="status"]').textContent()).toBe('INVESTIGATING');
    expect(await p.locator('#replay-summary [data-field="comms"]').textContent()).toBe('@U0003');
    expect(await p.locator('#replay-events li.is-current').textContent()).toContain('comms');
    const bad = await p.goto(`${replayUrl()}?t=yesterday`);
    expect(bad?.status()).toBe(400);
    expect(await p.locator('.notice-error').textContent()).toContain('“yesterday” is not a moment');
    expect(await p.locator('#replay-summary [data-field="status"]').textContent()).toBe('OPEN');
    expect((await p.goto(`${h.app.url}/console/orgs/T0001/incidents/nope/replay`))?.status()).toBe(404);
    const hidden = await p.goto(`${h.app.url}/console/orgs/T0001/incidents/inc-secret/replay`);
    expect(hidden?.status()).toBe(404);
    expect(await p.content()).not.toContain('Vault keys rotated');
    await noJs.close();
    await page.goto(`${replayUrl()}?t=${new Date(declaredAt + 16 * MIN).toISOString()}`);
    expect(await field('update')).toBe(`Error rate falling ${HOSTILE}`);
    expect(await page.locator('main img').count()).toBe(0);
    expect(await page.locator('main a[href^="javascript"]').count()).toBe(0);
    expect(errors).toEqual([]);
  }, 60_000);

  it('plays from the declaration to the resolution at 600×', async () => {
    await page.goto(replayUrl());
    await page.selectOption('#replay-speed', '600');
    await page.click('#replay-play');
    expect(await page.getAttribute('#replay-play', 'aria-pressed')).toBe('true');
    // 40 minutes at 600× is 4 s of playback; the wait is generous for a loaded machine.
    await until(async () => (await field('status')) === 'RESOLVED', 'the replay reaching the resolution', 60_000);
    await until(
      async () => (await page.getAttribute('#replay-play', 'aria-pressed')) === 'false',
      'playback stopping at the end',
    );
    expect(await field('commander')).toBe('@U0002');
    expect(page.url()).toContain('?t=');
  }, 90_000);

  it('insights: charts with their tables and the hand-computed totals (fixture + the replayed incident)', async () => {
    await page.goto(`${h.app.url}/console/orgs/T0001/insights?window=30d`);
    // The fixture's 36 live incidents (10 open, 26 resolved, 2 cancelled) and the replayed one, resolved.
    expect(await page.locator('[data-metric="incidents"]').textContent()).toBe(
      '37 (10 open, 27 resolved; 2 cancelled)',
    );
    // MTTA: the fixture's 31 values plus 3 min → 32 values, median (10 + 12) / 2 = 11 min;
    // p90 is the 29th: the fixture's 28th (240 min) moved up one.
    expect(await page.locator('[data-metric="mtta"]').textContent()).toBe('median 11 min, p90 4 h (n=32)');
    expect(await page.locator('[data-metric="rollbacks"]').textContent()).toContain('n=2');
    for (const id of ['weekly', 'response']) {
      const svg = page.locator(`#${id}-figure svg[role="img"]`);
      expect(await svg.count()).toBe(1);
      expect(await svg.locator('rect').count()).toBeGreaterThan(5);
      expect(await page.locator(`#${id}-table tbody tr`).count()).toBeGreaterThan(0);
    }
    expect(await page.locator('#service-table tbody tr').count()).toBe(5);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: 'docs/console-insights.png', fullPage: true });
    const bad = await page.goto(`${h.app.url}/console/orgs/T0001/insights?window=1y`);
    expect(bad?.status()).toBe(400);
    expect(await page.locator('.notice-error').textContent()).toContain('“1y” is not a window');
    expect(await page.locator('h1').textContent()).toContain('last 30d');
    const week = await page.goto(`${h.app.url}/console/orgs/T0001/insights?window=7d`);
    expect(week?.status()).toBe(200);
    expect(await page.locator('[data-metric="incidents"]').textContent()).toBe('11 (10 open, 1 resolved; 0 cancelled)');
    expect(errors).toEqual([]);
  }, 90_000);
});
