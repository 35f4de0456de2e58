import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CROP_GAP, type ReportModel } from './report-model.js';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReportHtml } from './render-html.js';
import { chromiumAvailable, launchChromium } from './test/browser.js';
import { fixtureModel } from './test/fixture-model.js';
import { syntheticModel } from './test/synthetic-model.js';

const ARTIFACTS = fileURLToPath(new URL('../../../artifacts/report/', import.meta.url));
const DOCS_PNG = fileURLToPath(new URL('../docs/report.png', import.meta.url));
const PAGE_URL = 'http://kpress.invalid/report.html';

// Under CI the browser must be there: no silent skip. Locally, skip when missing.
const run = chromiumAvailable() || process.env.CI ? describe : describe.skip;

interface Loaded {
  page: Page;
  requests: string[];
  consoleErrors: string[];
}

run('report.html in headless chromium', () => {
  let browser: Browser;
  let fixtures: ReportModel;

  beforeAll(async () => {
    browser = await launchChromium();
    fixtures = await fixtureModel();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  /** Serves the page for one URL and records every request the page makes (all are answered 404 but the page). */
  async function load(html: string, width = 1280): Promise<Loaded> {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    const requests: string[] = [];
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    // every CSP violation the page meets, as the browser reports it
    await page.addInitScript({
      content:
        "window.cspViolations = []; document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));",
    });
    await page.route('**/*', (route) => {
      const url = route.request().url();
      requests.push(url);
      if (url === PAGE_URL) {
        return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
      }
      return route.fulfill({ status: 404, body: '' });
    });
    await page.goto(PAGE_URL, { waitUntil: 'load' });
    return { page, requests, consoleErrors };
  }

  async function chartSizes(page: Page): Promise<Record<string, number[]>> {
    return page.$$eval('svg.chart', (svgs) => {
      const out: Record<string, number[]> = {};
      for (const svg of svgs) {
        const r = svg.getBoundingClientRect();
        const name = svg.getAttribute('data-chart') ?? '?';
        const marks = svg.querySelectorAll('rect.bar, circle.dot, circle.pal, path').length;
        // area, or 0 when the chart has no drawn marks
        const list = out[name] ?? [];
        list.push(marks > 0 ? r.width * r.height : 0);
        out[name] = list;
      }
      return out;
    });
  }

  it('renders the fixture report: no request but the page, no console error, every chart drawn', async () => {
    const html = renderReportHtml(fixtures);
    const { page, requests, consoleErrors } = await load(html);
    expect(requests).toEqual([PAGE_URL]);
    expect(consoleErrors).toEqual([]);
    const sizes = await chartSizes(page);
    for (const chart of ['savings', 'scatter', 'colors', 'psnr', 'ssimulacra2']) {
      expect(sizes[chart]?.length, chart).toBe(1);
      expect(sizes[chart]?.[0], chart).toBeGreaterThan(1000);
    }
    // three colour-space projections per image that did not fail
    expect(sizes.colours).toHaveLength(3 * fixtures.samples.length);
    for (const area of sizes.colours ?? []) expect(area).toBeGreaterThan(1000);
    // the thumbnails decoded
    const loaded = await page.$$eval('.sample img', (imgs) =>
      imgs.map((i) => (i as unknown as { naturalWidth: number }).naturalWidth),
    );
    expect(loaded.length).toBe(2 * fixtures.samples.length);
    for (const w of loaded) expect(w).toBeGreaterThan(0);
    // the score histogram: one bar group per bin of the scale, drawn
    const scoreBins = await page.$$eval('svg[data-chart="ssimulacra2"] rect.bar', (r) => r.length);
    expect(scoreBins).toBeGreaterThan(0);
    // the worst cases: one crop per compressed image (fewer than 12 here), decoded at 1:1
    const worstWanted = fixtures.aggregate.worst.length;
    expect(worstWanted).toBeGreaterThanOrEqual(3);
    expect(fixtures.worst?.every((w) => w.cropDataUri !== null)).toBe(true);
    const crops = await page.$$eval('img.crop', (imgs) =>
      imgs.map((i) => {
        const img = i as unknown as {
          complete: boolean;
          naturalWidth: number;
          naturalHeight: number;
          getBoundingClientRect(): { width: number; height: number };
        };
        const r = img.getBoundingClientRect();
        return {
          complete: img.complete,
          natural: [img.naturalWidth, img.naturalHeight],
          shown: [r.width, r.height],
        };
      }),
    );
    expect(crops).toHaveLength(worstWanted);
    for (const [i, c] of crops.entries()) {
      const region = fixtures.worst?.[i]?.region;
      expect(c.complete).toBe(true);
      expect(c.natural[0]).toBeGreaterThan(0);
      // 1:1: drawn at the crop's own size, original and output side by side
      expect(c.natural).toEqual([2 * (region?.width ?? 0) + CROP_GAP, region?.height]);
      expect(c.shown).toEqual(c.natural);
    }
    expect(await page.$eval('h2 + p + .worst-cases', (e) => e.textContent)).toContain(
      'SSIMULACRA 2.1',
    );
    expect(await page.evaluate('window.cspViolations')).toEqual([]);

    await mkdir(ARTIFACTS, { recursive: true });
    await writeFile(`${ARTIFACTS}fixtures.html`, html);
    await page.screenshot({ path: `${ARTIFACTS}fixtures.png`, fullPage: true });
    if (process.env.KPRESS_DOCS_SCREENSHOT) {
      // the top of the page, re-encoded as a 128-colour palette PNG to stay small
      await page.setViewportSize({ width: 1100, height: 1400 });
      const shot = await page.screenshot({ type: 'png', scale: 'css' });
      const png = await sharp(shot)
        .png({ palette: true, colours: 128, compressionLevel: 9 })
        .toBuffer();
      await mkdir(dirname(DOCS_PNG), { recursive: true });
      await writeFile(DOCS_PNG, png);
    }
    await page.close();
  }, 60_000);

  it('renders a 100,000-row report with a histogram and no network', async () => {
    const html = renderReportHtml(syntheticModel(100_000));
    const { page, requests, consoleErrors } = await load(html);
    expect(requests).toEqual([PAGE_URL]);
    expect(consoleErrors).toEqual([]);
    const sizes = await chartSizes(page);
    for (const chart of ['savings', 'scatter', 'colors', 'psnr']) {
      expect(sizes[chart]?.[0], chart).toBeGreaterThan(1000);
    }
    await page.screenshot({ path: `${ARTIFACTS}synthetic-100k.png`, fullPage: true });
    await page.close();
  }, 60_000);

  it('blocks a fetch that a tampered page would try (the CSP holds)', async () => {
    const html = renderReportHtml(syntheticModel(5)).replace(
      '</main>',
      '<img src="http://kpress.invalid/pixel.png"></main>',
    );
    const { page, requests } = await load(html);
    expect(requests).toEqual([PAGE_URL]);
    // the listener sees the violation: an empty list elsewhere means none happened
    expect(await page.evaluate('window.cspViolations')).toEqual([
      'img-src http://kpress.invalid/pixel.png',
    ]);
    await page.close();
  }, 30_000);
});
