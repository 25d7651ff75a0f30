// The dashboard end to end, in real headless Chromium (Debian's, driven by playwright-core; no
// browser is downloaded) against the local world with the controller running: the list follows a
// release live, the Canary page charts each step, abort rolls a run back, and --read-only offers
// no operation and refuses a forged one; with --prometheus-url the server charts each check's
// canary and primary series from the world's real Prometheus. Screenshots of each page go to
// test-artifacts/dashboard/.
import { access, mkdir } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { chromium, type Browser, type Page } from 'playwright-core';
import { pino } from 'pino';
import { ANNOTATIONS } from '../../src/api/constants.js';
import type { RunSeries } from '../../src/dashboard/series-view.js';
import { startDashboard, type RunningDashboard } from '../../src/dashboard/start.js';
import { newRevision, waitForEnd, waitForWeight } from '../e2e/canary-run.js';
import { initializedCanary, useE2E } from '../e2e/fixtures.js';
import { eventually, getCanary } from '../e2e/harness.js';
import { APP } from '../e2e/manifests.js';

jest.setTimeout(240_000);

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/dashboard/', import.meta.url));
const LIVE = 'e2e-dash-live';
const ABORT = 'e2e-dash-abort';

const e = useE2E('dashboard');
const live = initializedCanary(e, LIVE, { canary: { stepWeights: [10, 20, 30] } });
const aborted = initializedCanary(e, ABORT, { canary: { stepWeights: [10, 20, 30, 40, 50] } });

let browser: Browser;
let dashboard: RunningDashboard;
let readOnly: RunningDashboard;

beforeAll(async () => {
  try {
    await access(CHROMIUM);
  } catch (err) {
    throw new Error(
      `the dashboard's browser tests need Debian's chromium at ${CHROMIUM}: install it with \`bash hack/setup.sh\``,
      { cause: err },
    );
  }
  await mkdir(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  const common = {
    raw: e.admin,
    // Warnings (a watch that failed, a request refused) show in the test's output.
    logger: pino({ level: 'warn' }),
    namespaces: [LIVE, ABORT],
    contextNamespace: undefined,
    address: { host: '127.0.0.1', port: 0 },
  };
  dashboard = await startDashboard({
    ...common,
    readOnly: false,
    prometheusUrl: e.world.prometheusUrl,
  });
  readOnly = await startDashboard({
    ...common,
    readOnly: true,
    prometheusUrl: `http://127.0.0.1:${await closedPort()}`,
  });
});

afterAll(async () => {
  await browser.close();
  await dashboard.stop();
  await readOnly.stop();
});

/** A loopback port nothing listens on (it was bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The non-empty values of a series, as the page's data attributes list them. */
const values = (vs: readonly (number | null)[]): string => vs.filter((v) => v !== null).join(',');

async function seriesOf(d: RunningDashboard, ns: string): Promise<RunSeries> {
  const res = await fetch(`${d.url}api/series/${ns}/${APP}`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { series: RunSeries | null };
  if (body.series === null) throw new Error(`${ns}: no run to chart`);
  return body.series;
}

/** What each page reported going wrong: uncaught errors, console errors, failed requests. */
const troubles = new WeakMap<Page, string[]>();

async function open(d: RunningDashboard, hash = ''): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
  const seen: string[] = [];
  troubles.set(page, seen);
  page.on('pageerror', (err) => seen.push(`page error: ${err.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') seen.push(`console: ${m.text()}`);
  });
  page.on('requestfailed', (r) =>
    seen.push(`request failed: ${r.url()} ${r.failure()?.errorText}`),
  );
  await page.goto(`${d.url}${hash}`);
  return page;
}

/**
 * Waits for `selector` on the page; if it never shows, the error says what the page showed
 * instead and what went wrong in it (a read-only page once timed out in CI, cause unseen).
 */
async function shown(page: Page, selector: string, timeout = 30_000): Promise<void> {
  try {
    await page.waitForSelector(selector, { timeout });
  } catch (err) {
    const text = (await page.textContent('body').catch(() => null)) ?? '(no body)';
    const why = (troubles.get(page) ?? []).join('; ') || 'no page error';
    throw new Error(`${selector} not shown; the page showed: ${text.slice(0, 400)}; ${why}`, {
      cause: err,
    });
  }
}

const row = (ns: string, phase?: string): string =>
  `[data-testid="canary-row"][data-key="${ns}/${APP}"]${phase === undefined ? '' : `[data-phase="${phase}"]`}`;

const weightChart = '[data-testid="weight-chart"]';

describe('the list and the Canary page during a release', () => {
  it('shows the phase change live, then a point per step on the weight chart and the thresholds on the check charts', async () => {
    const page = await open(dashboard);
    await page.waitForSelector(row(LIVE, 'Initialized'));
    await newRevision(e, LIVE, { 'example.com/rev': '2' });
    // The same page, not reloaded: the stream brings the new phase.
    await page.waitForSelector(row(LIVE, 'Progressing'), { timeout: 30_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'list.png') });

    await page.click(`${row(LIVE)} a`);
    await shown(page, `[data-testid="canary-page"][data-key="${LIVE}/${APP}"]`);
    // Each step of the run adds its point: 10, then 20, then 30.
    for (const [points, weights] of [
      [1, '10'],
      [2, '10,20'],
      [3, '10,20,30'],
    ] as const) {
      await page.waitForSelector(`${weightChart}[data-points="${points}"]`, { timeout: 30_000 });
      expect(await page.getAttribute(weightChart, 'data-weights')).toBe(weights);
    }
    const done = await waitForEnd(e, LIVE);
    expect(done.phase).toBe('Succeeded');
    await page.waitForSelector('[data-testid="run"][data-result="Succeeded"]', { timeout: 30_000 });
    const recorded = done.history
      ?.at(-1)
      ?.steps.map((s) => s.weight)
      .join(',');
    await page.waitForSelector(`${weightChart}[data-weights="${recorded ?? ''}"]`);
    expect(recorded).toBe('10,20,30,30,0,0');
    await live.split.reached(0);

    const rate = '[data-testid="check-chart"][data-metric="success-rate"]';
    expect(await page.getAttribute(rate, 'data-threshold-min')).toBe('99');
    expect(Number(await page.getAttribute(rate, 'data-points'))).toBeGreaterThanOrEqual(3);
    expect(await page.textContent(rate)).toContain('min 99');
    const latency = '[data-testid="check-chart"][data-metric="latency-p99"]';
    expect(await page.getAttribute(latency, 'data-threshold-max')).toBe('100');
    expect(await page.locator(`${rate} canvas`).count()).toBe(1);

    // --prometheus-url: the server's answer holds both Deployments' series for the run...
    const series = await seriesOf(dashboard, LIVE);
    expect(series).toMatchObject({
      revision: done.history?.at(-1)?.revision,
      targets: { canary: APP, primary: `${APP}-primary` },
    });
    expect(series.checks.map((x) => x.metric)).toEqual(['success-rate', 'latency-p99']);
    for (const check of series.checks) {
      expect(check.error).toBeUndefined();
      expect(values(check.canary)).not.toBe('');
      expect(values(check.primary)).not.toBe('');
    }
    // ...the canary served 10-30% of requests without errors, the primary the rest.
    const successRate = series.checks[0];
    expect(successRate?.canary.every((v) => v === null || v === 100)).toBe(true);
    // ...more viewers (and the same one again) add no query for an unchanged run...
    const sent = dashboard.prometheus?.queriesSent;
    await Promise.all([seriesOf(dashboard, LIVE), seriesOf(dashboard, LIVE)]);
    expect(dashboard.prometheus?.queriesSent).toBe(sent);
    // ...a query Prometheus refuses is an error with its reason (shown in the check's chart)...
    await expect(
      dashboard.prometheus?.range('sum(', series.range.start, series.range.end, 1),
    ).rejects.toThrow(/refused the query \(HTTP 400\): .*parse error/);
    // ...and the page charts that same answer: the canary's and the primary's points.
    for (const check of series.checks) {
      const chart = `[data-testid="series-chart"][data-metric="${check.metric}"]`;
      await page.waitForSelector(
        `${chart}[data-canary-values="${values(check.canary)}"][data-primary-values="${values(check.primary)}"]`,
      );
      expect(Number(await page.getAttribute(chart, 'data-canary-points'))).toBeGreaterThan(0);
      expect(Number(await page.getAttribute(chart, 'data-primary-points'))).toBeGreaterThan(0);
      expect(await page.locator(`${chart} canvas`).count()).toBe(1);
    }
    await page.screenshot({ path: join(ARTIFACTS, 'canary.png'), fullPage: true });

    // The charts follow the window: narrower, every plot shrinks and still fits its box.
    // (Browser-side scripts as text: the tests compile without the DOM's types.)
    const widths = `[...document.querySelectorAll('.chart')].flatMap((c) => {
      const plot = c.querySelector('.uplot');
      return plot === null ? [] : [{ plot: plot.offsetWidth, box: c.clientWidth }];
    })`;
    const plotWidths = (): Promise<{ plot: number; box: number }[]> => page.evaluate(widths);
    const wide = await plotWidths();
    await page.setViewportSize({ width: 480, height: 760 });
    const narrow = await eventually('every plot fits its narrower box', async () => {
      const now = await plotWidths();
      return now.every((w) => w.plot <= w.box) ? now : undefined;
    });
    expect(narrow).toHaveLength(wide.length);
    expect(narrow.length).toBeGreaterThanOrEqual(5);
    narrow.forEach((n, i) => {
      expect(n.plot).toBeLessThan(wide[i]?.plot ?? 0);
    });
    // The README's picture (docs/images/dashboard.png is a copy): the charts, one screen high.
    await page.setViewportSize({ width: 1000, height: 560 });
    await page.screenshot({ path: join(ARTIFACTS, 'canary-charts.png') });
    await page.close();
  });
});

describe('abort from the Canary page', () => {
  it('asks for confirmation, then the run rolls back', async () => {
    const page = await open(dashboard, `#/canary/${ABORT}/${APP}`);
    await shown(page, '[data-testid="canary-page"][data-phase="Initialized"]');
    await newRevision(e, ABORT, { 'example.com/rev': '2' });
    await waitForWeight(e, ABORT, 10);
    const asked: string[] = [];
    page.once('dialog', (dialog) => {
      asked.push(dialog.message());
      void dialog.accept();
    });
    await page.click('button[data-action="abort"]');
    expect(asked).toEqual([`abort ${ABORT}/${APP}?`]);
    await page.waitForSelector('[data-testid="canary-page"][data-phase="Failed"]', {
      timeout: 30_000,
    });
    const status = (await getCanary(e, ABORT, APP)).status;
    expect(status).toMatchObject({ phase: 'Failed', canaryWeight: 0 });
    expect(status?.operation).toMatchObject({ action: 'abort', result: 'Accepted' });
    await aborted.split.reached(0);
    await page.waitForSelector('[data-testid="run"][data-result="Failed"]');
    await page.screenshot({ path: join(ARTIFACTS, 'aborted.png'), fullPage: true });
    await page.close();
  });
});

describe('--read-only', () => {
  it('shows no operation buttons, and a forged POST from the page fails', async () => {
    const page = await open(readOnly, `#/canary/${LIVE}/${APP}`);
    await shown(page, '[data-testid="canary-page"]');
    await shown(page, weightChart);
    expect(await page.locator('button[data-action]').count()).toBe(0);
    expect(await page.locator('[data-testid="operations"]').count()).toBe(0);
    const before = (await getCanary(e, LIVE, APP)).metadata.annotations?.[ANNOTATIONS.operation];
    const status = await page.evaluate(async (path) => {
      const res = await fetch(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-weightlifter-csrf': 'forged' },
        body: '{}',
      });
      return res.status;
    }, `/api/canaries/${LIVE}/${APP}/promote`);
    expect(status).toBe(403);
    const after = (await getCanary(e, LIVE, APP)).metadata.annotations?.[ANNOTATIONS.operation];
    expect(after).toBe(before);
    // A Prometheus that does not answer is an error in the page, per check, not a crash.
    await page.waitForSelector(
      '[data-testid="series-chart"][data-metric="success-rate"] [data-testid="series-error"]',
    );
    expect(
      await page.textContent('[data-testid="series-chart"][data-metric="latency-p99"]'),
    ).toContain('unreachable');
    expect(await page.locator(weightChart).count()).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, 'read-only.png'), fullPage: true });
    await page.close();
  });
});
