import type { ManifestRow } from '@kpress/manifest';
import { describe, expect, it } from 'vitest';
import { renderTable } from './render-table.js';
import { copiedAndSkipped, hostileRows, syntheticModel } from './test/synthetic-model.js';

describe('renderTable', () => {
  it('shows totals, counts, saving, largest savings and failures', () => {
    const model = syntheticModel(30);
    const text = renderTable(model);
    const a = model.aggregate;
    expect(text).toContain(
      `${a.counts.total} total: ${a.counts.compressed} compressed, ${a.counts.keptOriginal} kept original, ${a.counts.failed} failed`,
    );
    expect(text).toMatch(/Saved +[\d.]+ [kMG]B \(\d+\.\d%\)/);
    expect(text).toContain('Largest savings');
    expect(text).toContain(a.largestSavings[0]?.key ?? 'missing');
    expect(text).toContain('Failures (3)');
    expect(text).toContain('corrupt JPEG data: premature end (3)');
    expect(text).toContain('1 GB holds');
    expect(text).not.toContain('\u001b[');
  });

  it('counts copies and skips in the Images line, so that its parts add up to the total', () => {
    const model = syntheticModel(30, copiedAndSkipped(8, 2, 250_000));
    const a = model.aggregate;
    expect(a.counts.total).toBe(40);
    const text = renderTable(model, { width: 200 });
    expect(text).toContain(
      `40 total: ${a.counts.compressed} compressed, ${a.counts.keptOriginal} kept original, 8 copied, 2 skipped, ${a.counts.failed} failed`,
    );
    expect(a.counts.compressed + a.counts.keptOriginal + 8 + 2 + a.counts.failed).toBe(40);
    expect(text).toMatch(
      /Copied +8 objects, 2\.00 MB byte for byte \(not in the savings\); 2 skipped/,
    );
  });

  it('says how many rows missed the --quality target, and says nothing when none did', () => {
    const row = (key: string, qualityMet: boolean): ManifestRow => ({
      key,
      status: 'compressed',
      originalBytes: 1000,
      outputKey: `${key}.png`,
      outputBytes: 100,
      width: 10,
      height: 10,
      colors: 16,
      psnr: 30,
      ms: 1,
      error: null,
      qualityMet,
    });
    const missed = renderTable(
      syntheticModel(3, [row('a.jpg', false), row('b.jpg', false), row('c.jpg', true)]),
    );
    expect(missed).toMatch(
      /Quality +2 missed the --quality target \(qualityMet false in the manifest/,
    );
    expect(renderTable(syntheticModel(3, [row('c.jpg', true)]))).not.toContain(
      'missed the --quality',
    );
  });

  it('shows the SSIMULACRA 2.1 distribution: min, 5th percentile, median and each band; nothing without scores', () => {
    const row = (key: string, ssimulacra2: number | null): ManifestRow => ({
      key,
      status: 'compressed',
      originalBytes: 1000,
      outputKey: `${key}.png`,
      outputBytes: 100,
      width: 10,
      height: 10,
      colors: 16,
      psnr: 30,
      ms: 1,
      error: null,
      ssimulacra2,
    });
    const scored = [row('a.jpg', 81.44), row('b.jpg', 12.5), row('c.jpg', 90), row('d.jpg', null)];
    const text = renderTable(syntheticModel(3, scored), { width: 200 });
    expect(text).toContain(
      'Score       SSIMULACRA 2.1 min 12.50, 5th percentile 12.50, median 81.44 (3 scored)',
    );
    expect(text).toContain('below the bands: 1 < 30, 1 < 50, 1 < 70, 1 < 80, 2 < 85, 2 < 90');
    expect(text).toContain('80 not noticeable side by side');
    for (const line of renderTable(syntheticModel(3, scored), { width: 60 }).split('\n'))
      expect(line.length).toBeLessThanOrEqual(60);
    expect(renderTable(syntheticModel(3, [row('d.jpg', null)]))).not.toContain('SSIMULACRA');
  });

  it('wraps the score figures on a narrow terminal, never cutting a number out of them', () => {
    const row = (key: string, ssimulacra2: number): ManifestRow => ({
      key,
      status: 'compressed',
      originalBytes: 1000,
      outputKey: `${key}.png`,
      outputBytes: 100,
      width: 10,
      height: 10,
      colors: 16,
      psnr: 30,
      ms: 1,
      error: null,
      ssimulacra2,
    });
    const model = syntheticModel(2, [row('a.jpg', -56.09), row('b.jpg', 16.22)]);
    for (const width of [40, 60, 80]) {
      const text = renderTable(model, { width });
      const block = text.slice(text.indexOf('Score '), text.indexOf('\nScores'));
      // every figure whole, nothing elided
      expect(block, `width ${width}`).not.toContain('…');
      for (const figure of ['min -56.09', '5th percentile -56.09', 'median -56.09', '(2 scored)'])
        expect(block.replace(/\s+/g, ' '), `width ${width}`).toContain(figure);
      for (const line of block.split('\n')) expect(line.length).toBeLessThanOrEqual(width);
    }
  });

  it('draws the scores as a text histogram by band and lists the lowest scores', () => {
    const row = (key: string, ssimulacra2: number): ManifestRow => ({
      key,
      status: 'compressed',
      originalBytes: 1000,
      outputKey: `${key}.png`,
      outputBytes: 100,
      width: 10,
      height: 10,
      colors: 16,
      psnr: 30,
      ms: 1,
      error: null,
      ssimulacra2,
    });
    const scored = [
      ...Array.from({ length: 8 }, (_, i) => row(`good/${i}.jpg`, 82 + i / 10)),
      row('bad/z.jpg', 12.5),
      row('bad/a.jpg', 12.5),
      row('meh.jpg', 55),
      row('neg.jpg', -3),
    ];
    const lines = renderTable(syntheticModel(3, scored), { width: 100, maxWorst: 3 }).split('\n');
    const at = lines.indexOf('Scores');
    expect(at).toBeGreaterThan(0);
    // one line per bin: below 0, then the bands of the scale; the fullest bin has the longest bar
    expect(lines.slice(at + 1, at + 9)).toEqual([
      '     < 0  1  #####',
      '    0–30  2  ##########',
      '   30–50  0',
      '   50–70  1  #####',
      '   70–80  0',
      '   80–85  8  ########################################',
      '   85–90  0',
      '  90–100  0',
    ]);
    const worst = lines.indexOf('Lowest scores');
    expect(lines.slice(worst + 1, worst + 5)).toEqual([
      '   score colours  image',
      '   -3.00      16  neg.jpg',
      '   12.50      16  bad/a.jpg',
      '   12.50      16  bad/z.jpg',
    ]);
    expect(renderTable(syntheticModel(3, scored), { maxWorst: 0 })).not.toContain('Lowest scores');
    for (const line of renderTable(syntheticModel(3, scored), { width: 40 }).split('\n'))
      expect(line.length).toBeLessThanOrEqual(40);
  });

  it('keeps lines within the width and shortens long keys in the middle', () => {
    const model = syntheticModel(5, [
      { ...(hostileRows()[0] as ManifestRow), key: `${'very-long-directory/'.repeat(10)}end.jpg` },
    ]);
    const text = renderTable(model, { width: 60 });
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(60);
    expect(text).toMatch(/ very-long-dire\S*…\S*end\.jpg\n/);
    expect(text).not.toContain('very-long-directory/'.repeat(10));
  });

  it('neutralises terminal escapes and newlines in keys', () => {
    const text = renderTable(syntheticModel(2, hostileRows()), { width: 200 });
    expect(text).not.toContain('\u001b');
    expect(text).toContain('\\n\\x1b[31mred');
  });

  it('counts failures beyond those listed', () => {
    const text = renderTable(syntheticModel(1000), { maxFailures: 5 });
    expect(text).toContain('Failures (100)');
    expect(text).toContain('and 95 more');
  });

  it('paints only when asked', () => {
    expect(renderTable(syntheticModel(20), { color: true })).toContain('\u001b[1m');
  });

  it('rejects a bad width naming it', () => {
    expect(() => renderTable(syntheticModel(1), { width: 10 })).toThrow(/width.*10/);
  });
});
