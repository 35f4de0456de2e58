import { type ManifestRow, SummaryBuilder } from '@kpress/manifest';
import type { ReportModel } from '../report-model.js';

export const HOSTILE_KEY = `evil/<script>alert("x")</script> & 'quotes' http://evil.example/a.png\n\u001b[31mred`;

/** A deterministic model of `n` rows (every 10th failed, every 7th kept), no samples. */
export function syntheticModel(n: number, extraRows: ManifestRow[] = []): ReportModel {
  const b = new SummaryBuilder();
  for (let i = 0; i < n; i++) {
    const key = `dataset/part-${i % 100}/img-${i}.jpg`;
    const originalBytes = 50_000 + ((i * 7919) % 200_000);
    if (i % 10 === 3) {
      b.add({
        key,
        status: 'failed',
        originalBytes,
        outputKey: null,
        outputBytes: null,
        width: null,
        height: null,
        colors: null,
        psnr: null,
        ms: 2,
        error: `corrupt JPEG data: premature end (${i})`,
      });
    } else if (i % 7 === 0) {
      b.add({
        key,
        status: 'kept-original',
        originalBytes,
        outputKey: `out/${key}`,
        outputBytes: originalBytes,
        width: 640,
        height: 480,
        colors: null,
        psnr: null,
        ms: 5,
        error: 'palette PNG not smaller than the original',
      });
    } else {
      const colors = 2 ** (1 + (i % 8));
      b.add({
        key,
        status: 'compressed',
        originalBytes,
        outputKey: `out/${key}.png`,
        outputBytes: Math.round(originalBytes * (0.1 + ((i * 31) % 80) / 100)),
        width: 640,
        height: 480,
        colors,
        psnr: i % 13 === 0 ? Number.POSITIVE_INFINITY : 22 + ((i * 17) % 260) / 10,
        ms: 40,
        error: null,
      });
    }
  }
  for (const r of extraRows) b.add(r);
  return {
    summary: b.summary({
      batchId: 'batch-synthetic',
      source: 's3://photos/raw/',
      dest: 's3://archive/raw/',
      colors: 64,
      startedAt: '2025-03-01T10:00:00.000Z',
      finishedAt: '2025-03-01T10:42:00.000Z',
    }),
    aggregate: b.aggregate(),
    samples: [],
  };
}

export function hostileRows(): ManifestRow[] {
  return [
    {
      key: HOSTILE_KEY,
      status: 'compressed',
      originalBytes: 900_000_000,
      outputKey: `out/${HOSTILE_KEY}.png`,
      outputBytes: 1000,
      width: 10,
      height: 10,
      colors: 4,
      psnr: 30,
      ms: 1,
      error: null,
    },
    {
      key: `${HOSTILE_KEY}-failed`,
      status: 'failed',
      originalBytes: 1,
      outputKey: null,
      outputBytes: null,
      width: null,
      height: null,
      colors: null,
      psnr: null,
      ms: 1,
      error: '<img src=x onerror=alert(1)> not an image',
    },
  ];
}

/** `copied` rows of `bytes` bytes each and `skipped` rows (issue 26): objects kpress does not compress. */
export function copiedAndSkipped(copied: number, skipped: number, bytes = 1000): ManifestRow[] {
  const row = (key: string, status: 'copied' | 'skipped'): ManifestRow => ({
    key,
    status,
    originalBytes: bytes,
    outputKey: status === 'copied' ? `out/${key}` : null,
    outputBytes: status === 'copied' ? bytes : null,
    width: null,
    height: null,
    colors: null,
    psnr: null,
    ms: 1,
    error: 'not an image: no known image signature in the first bytes',
  });
  return [
    ...Array.from({ length: copied }, (_, i) => row(`side/meta-${i}.json`, 'copied')),
    ...Array.from({ length: skipped }, (_, i) => row(`side/skip-${i}.json`, 'skipped')),
  ];
}
