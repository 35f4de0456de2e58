import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type ManifestRow, SummaryBuilder } from '@kpress/manifest';
import { makeReportSample } from '../images/make-report-sample.js';
import { reportWorstCases } from '../images/worst-cases.js';
import type { ReportModel } from '../report-model.js';
import { ssimulacra2 } from '@kpress/ssimulacra2';
import sharp, { type Sharp } from 'sharp';

export const SAMPLES_DIR = fileURLToPath(new URL('../../../../fixtures/samples/', import.meta.url));

async function psnr(source: Buffer, output: Buffer): Promise<number> {
  const a = await sharp(source).rotate().removeAlpha().raw().toBuffer();
  const b = await sharp(output).removeAlpha().raw().toBuffer();
  let se = 0;
  for (let i = 0; i < a.length; i++) se += ((a[i] ?? 0) - (b[i] ?? 0)) ** 2;
  const mse = se / a.length;
  return mse === 0 ? Number.POSITIVE_INFINITY : 10 * Math.log10((255 * 255) / mse);
}

/** SSIMULACRA 2.1 of the output against the oriented source, 2 decimals as rows carry it. */
async function score(source: Buffer, output: Buffer): Promise<number> {
  const pixels = async (img: Sharp) => {
    const { data, info } = await img.removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, channels: 3 as const };
  };
  const s = ssimulacra2(await pixels(sharp(source).rotate()), await pixels(sharp(output)));
  return Math.round(s * 100) / 100;
}

/**
 * A realistic model from the sample images: each compressed to a 16-colour
 * palette PNG (sharp's quantizer stands in for the worker), the truncated
 * JPEG failed, previews made by makeReportSample, the worst cases cropped
 * by reportWorstCases.
 */
export async function fixtureModel(colors = 16): Promise<ReportModel> {
  const names = (await readdir(SAMPLES_DIR)).sort();
  const builder = new SummaryBuilder();
  const samples = [];
  const bytes = new Map<string, Buffer>();
  for (const name of names) {
    const key = `samples/${name}`;
    const source = await readFile(`${SAMPLES_DIR}${name}`);
    let row: ManifestRow;
    let output: Buffer | null = null;
    try {
      const meta = await sharp(source, { failOn: 'error' }).rotate().metadata();
      await sharp(source, { failOn: 'error' }).raw().toBuffer();
      output = await sharp(source)
        .rotate()
        .png({ palette: true, colours: colors, dither: 0 })
        .toBuffer();
      const kept = output.length >= source.length;
      row = {
        key,
        status: kept ? 'kept-original' : 'compressed',
        originalBytes: source.length,
        outputKey: kept ? `archive/${key}` : `archive/${key}${name.endsWith('.png') ? '' : '.png'}`,
        outputBytes: kept ? source.length : output.length,
        width: meta.width ?? 1,
        height: meta.height ?? 1,
        colors: kept ? null : colors,
        psnr: kept ? null : await psnr(source, output),
        ssimulacra2: kept ? null : await score(source, output),
        ms: 100,
        error: kept ? 'palette PNG not smaller than the original' : null,
      };
      if (kept) output = source;
    } catch (err) {
      row = {
        key,
        status: 'failed',
        originalBytes: source.length,
        outputKey: null,
        outputBytes: null,
        width: null,
        height: null,
        colors: null,
        psnr: null,
        ms: 3,
        error: `cannot decode: ${(err as Error).message}`,
      };
    }
    builder.add(row);
    if (row.status !== 'failed') samples.push(await makeReportSample(row, source, output));
    bytes.set(key, source);
    if (row.outputKey !== null && output !== null) bytes.set(row.outputKey, output);
  }
  const aggregate = builder.aggregate();
  const get = async (key: string) => {
    const b = bytes.get(key);
    if (b === undefined) throw new Error(`no fixture ${key}`);
    return b;
  };
  const worst = await reportWorstCases(
    aggregate.worst,
    { row: () => Promise.reject(new Error('not used')), source: get, output: get },
    { maxBytes: 64 * 1024 * 1024, maxPixels: 100_000_000 },
  );
  return {
    summary: builder.summary({
      batchId: 'fixtures-demo',
      source: 's3://kpress-demo/samples/',
      dest: 's3://kpress-demo/archive/',
      colors,
      startedAt: '2025-03-01T10:00:00.000Z',
      finishedAt: '2025-03-01T10:00:04.000Z',
    }),
    aggregate,
    samples,
    worst,
  };
}
