import type { ReportSample, WorstCase } from './report-model.js';
import { describe, expect, it } from 'vitest';
import { renderReportHtml } from './render-html.js';
import {
  copiedAndSkipped,
  HOSTILE_KEY,
  hostileRows,
  syntheticModel,
} from './test/synthetic-model.js';

/** The page without its data: URIs (base64 may hold "//"). */
function withoutDataUris(html: string): string {
  return html.replace(/data:image\/[a-z]+;base64,[A-Za-z0-9+/=]*/g, 'data:');
}

function sample(key: string, extra: Partial<ReportSample> = {}): ReportSample {
  return {
    key,
    outputKey: `out/${key}.png`,
    status: 'compressed',
    originalBytes: 1000,
    outputBytes: 300,
    psnr: 31,
    colors: 4,
    beforeDataUri: 'data:image/webp;base64,UklGRg==',
    afterDataUri: 'data:image/png;base64,iVBORw0KGgo=',
    points: new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]),
    palette: [250, 5, 5, 5, 250, 5],
    ...extra,
  };
}

describe('renderReportHtml', () => {
  it('counts copies and skips in the Images card, so that its parts add up to the total', () => {
    const model = syntheticModel(30, copiedAndSkipped(8, 2, 250_000));
    const a = model.aggregate;
    const html = renderReportHtml(model);
    expect(html).toContain(
      `${a.counts.compressed} compressed · ${a.counts.keptOriginal} kept original · 8 copied · 2 skipped · ${a.counts.failed} failed`,
    );
    expect(html).toContain('8 objects copied byte for byte');
  });

  it('escapes hostile keys and reasons everywhere', () => {
    const model = syntheticModel(20, hostileRows());
    model.samples = [sample(HOSTILE_KEY)];
    const html = renderReportHtml(model);
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('alert("x")');
    expect(html).toContain(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;',
    );
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; not an image');
    // the hostile key is in the largest savings, the sample and the failures
    expect(html.split('evil/&lt;script&gt;').length - 1).toBeGreaterThanOrEqual(3);
  });

  it('makes no external reference: only data: images, no links, no imports', () => {
    const model = syntheticModel(50, hostileRows());
    model.samples = [
      sample('a.jpg'),
      sample('b.jpg', {
        beforeDataUri: 'https://evil.example/x.png',
        afterDataUri: 'javascript:alert(1)',
      }),
    ];
    const html = renderReportHtml(model);
    const srcs = [...html.matchAll(/\ssrc="([^"]*)"/g)].map((m) => m[1]);
    expect(srcs.length).toBe(2); // the two valid thumbnails of a.jpg only
    for (const s of srcs) expect(s).toMatch(/^data:image\//);
    expect(html).not.toMatch(/\shref=/);
    expect(html).not.toMatch(/url\(/);
    expect(html).not.toMatch(/@import/);
    expect(html).not.toMatch(/<(script|link|iframe|object|embed)\b/i);
    expect(html).toContain("default-src 'none'");
    // "http://" and "//" may only appear inside escaped text (the hostile key)
    const inert = withoutDataUris(html)
      .replaceAll('http://evil.example/a.png', '')
      .replaceAll('s3://photos/raw/', '')
      .replaceAll('s3://archive/raw/', '');
    expect(inert).not.toMatch(/https?:/);
    expect(inert).not.toContain('//');
  });

  it('stays small for 100,000 rows: bounded aggregate, no row embedded', () => {
    const model = syntheticModel(100_000);
    const html = renderReportHtml(model);
    expect(html.length).toBeLessThan(400_000);
    expect(html).toContain('and 9,800 more');
    expect(html).not.toContain('img-99999.jpg<');
    for (const chart of ['savings', 'scatter', 'colors', 'psnr']) {
      expect(html).toContain(`data-chart="${chart}"`);
    }
    // a histogram for many images, not one bar per image
    expect(html.match(/class="bar/g)?.length ?? 0).toBeLessThan(60);
  });

  it('draws one bar per image for a small batch', () => {
    const html = renderReportHtml(syntheticModel(10));
    const savings = html.match(/<svg class="chart" data-chart="savings"[\s\S]*?<\/svg>/)?.[0] ?? '';
    // 10 rows: 1 failed (i=3), 9 succeeded
    expect(savings.match(/<rect class="bar/g)).toHaveLength(9);
  });

  it('shows totals, counts and the scale figures', () => {
    const model = syntheticModel(100);
    const html = renderReportHtml(model);
    const { counts } = model.aggregate;
    expect(html).toContain(
      `${counts.compressed} compressed · ${counts.keptOriginal} kept original · ${counts.failed} failed`,
    );
    expect(html).toMatch(/1 GB holds about <b>[\d,.]+<\/b> such images before/);
    expect(html).toMatch(/GB saved per million|would save <b>[\d,.]+ GB<\/b>/);
  });

  it('gives the SSIMULACRA 2.1 distribution as a line in the totals, only when rows carry scores', () => {
    const scored = {
      key: 'a.jpg',
      status: 'compressed' as const,
      originalBytes: 1000,
      outputKey: 'a.jpg.png',
      outputBytes: 100,
      width: 10,
      height: 10,
      colors: 16,
      psnr: 30,
      ms: 1,
      error: null,
      ssimulacra2: 79.5,
    };
    const html = renderReportHtml(syntheticModel(0, [scored]));
    expect(html).toContain(
      'SSIMULACRA 2.1: min 79.50, 5th percentile 79.50, median 79.50 (1 scored); below the bands: 0 &lt; 30, 0 &lt; 50, 0 &lt; 70, 1 &lt; 80, 1 &lt; 85, 1 &lt; 90;',
    );
    expect(html).toContain('data-chart="ssimulacra2"');
    expect(renderReportHtml(syntheticModel(5))).not.toContain('SSIMULACRA');
  });

  it('draws colour clouds for each sample: three projections with the palette', () => {
    const model = syntheticModel(5);
    model.samples = [sample('a.jpg'), sample('b.jpg')];
    const html = renderReportHtml(model);
    expect(html.match(/data-chart="colours"/g)).toHaveLength(6);
    expect(html.match(/<circle class="pal"/g)).toHaveLength(2 * 3 * 2);
  });

  it('shows the worst cases: crop at its natural size, key, score, colours and bytes; a note where no crop', () => {
    const worst = (key: string, extra: Partial<WorstCase> = {}): WorstCase => ({
      key,
      outputKey: `out/${key}`,
      score: 12.345,
      colors: 16,
      originalBytes: 120_000,
      outputBytes: 30_000,
      width: 500,
      height: 400,
      cropDataUri: 'data:image/png;base64,iVBORw0KGgo=',
      region: { x: 10, y: 20, width: 192, height: 150 },
      note: null,
      ...extra,
    });
    const model = syntheticModel(5);
    model.worst = [
      worst(HOSTILE_KEY),
      worst('gone.png', {
        cropDataUri: null,
        region: null,
        note: 'the crop could not be made: NoSuchKey',
      }),
      worst('evil.png', { cropDataUri: 'javascript:alert(1)' }),
    ];
    const html = renderReportHtml(model);
    expect(html).toContain('<h2>Worst cases (3 lowest scores)</h2>');
    expect(html).toContain(
      '<img class="crop" src="data:image/png;base64,iVBORw0KGgo=" width="388" height="150"',
    );
    expect(html).toContain(
      'SSIMULACRA 2.1 12.35 · 16 colours · 120 kB → 30.0 kB at 10,20 (192×150 px)',
    );
    expect(html).toContain('the crop could not be made: NoSuchKey');
    expect(html).not.toContain('javascript:');
    expect(html).not.toContain('<script');
    expect(html.match(/<figure class="worst">/g)).toHaveLength(3);
    model.worst = [];
    expect(renderReportHtml(model)).not.toContain('Worst cases');
  });

  it('works with no rows at all', () => {
    const html = renderReportHtml(syntheticModel(0));
    expect(html).toContain('nothing to extrapolate');
    expect(html).toContain('</html>');
  });

  it('rejects a bad option naming it', () => {
    expect(() => renderReportHtml(syntheticModel(1), { maxSamples: -1 })).toThrow(/maxSamples.*-1/);
  });
});
