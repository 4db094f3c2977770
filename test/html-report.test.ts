import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareRuns } from '../src/compare/compare-runs.ts';
import { validationHtml } from '../src/report/html/validation-html.ts';
import { goldenPair, PINNED_NOW } from './helpers/fixture-runs.ts';
import { makeRun } from './helpers/make-run.ts';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  // Visible in the test output: CI installs Debian chromium, so this only skips locally.
  console.warn(`html-report: skipped, ${CHROMIUM} not found (apt-get install chromium)`);
}

const CHARTS = ['cdf-endToEnd', 'cdf-processing', 'stages', 'throughput', 'queue', 'cpu', 'memory'];

describe.skipIf(!haveChromium)('validation.html in headless Chromium', () => {
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), 'ocrbench-html-'));
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function render(html: string) {
    const file = join(dir, `page-${Math.random().toString(36).slice(2)}.html`);
    writeFileSync(file, html);
    const page = await browser.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('request', (request) => {
      if (!request.url().startsWith('file:')) requests.push(request.url());
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    const counts = await page.evaluate(
      (ids) =>
        ids.map((id) => {
          const svg = document.querySelector(`figure[data-chart="${id}"] svg`);
          const box = svg?.getBoundingClientRect();
          return {
            id,
            drawn: svg ? svg.querySelectorAll('path, rect').length : -1,
            lines: svg
              ? svg.querySelectorAll('path[stroke-width="2"], rect[height="40"]').length
              : -1,
            text: svg?.textContent ?? '',
            width: box?.width ?? 0,
          };
        }),
      CHARTS,
    );
    const title = await page.title();
    await page.close();
    return { counts, errors, requests, title };
  }

  it('renders every chart with drawn elements, no console errors, no network', async () => {
    const { baseline, candidate } = goldenPair();
    const comparison = compareRuns(baseline, candidate, { now: PINNED_NOW, resamples: 500 });
    const result = await render(validationHtml(comparison, baseline.run, candidate.run));
    expect(result.title).toBe('Phase 3 validation: steady-mix');
    expect(result.errors).toEqual([]);
    expect(result.requests).toEqual([]);
    for (const chart of result.counts) {
      // Axes are one path; each side adds a data line (or a bar per stage).
      expect(chart.drawn, chart.id).toBeGreaterThan(2);
      expect(chart.lines, chart.id).toBeGreaterThanOrEqual(2);
      expect(chart.width, chart.id).toBeGreaterThan(100);
    }
  });

  it('says "not observed" when the runs sampled no queue or processes', async () => {
    const a = makeRun({ id: 'a', seed: 1, trials: 3, jobsPerTrial: 60, observe: false });
    const b = makeRun({ id: 'b', seed: 2, trials: 3, jobsPerTrial: 60, observe: false });
    const loaded = (run: typeof a) => ({ run, source: run.id, dir: '.' });
    const comparison = compareRuns(loaded(a), loaded(b), { resamples: 200 });
    const result = await render(validationHtml(comparison, a, b));
    expect(result.errors).toEqual([]);
    const byId = Object.fromEntries(result.counts.map((c) => [c.id, c]));
    for (const id of ['queue', 'cpu', 'memory']) {
      expect(byId[id].text).toMatch(/not observed/);
      expect(byId[id].lines).toBe(0);
    }
    expect(byId['cdf-endToEnd'].lines).toBeGreaterThanOrEqual(2);
  });
});
