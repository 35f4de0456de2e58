/**
 * `kpress compress <in> <out>` for one file. The codec is loaded by the
 * command's action when it runs, not when the program starts.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CliError, EXIT, say } from '@kpress/cli-kit';
import { CodecError, compressImage, DEFAULT_MAX_PIXELS, deflateBackend } from '@kpress/codec';
import { compressIfDeep } from '@kpress/compress/deep';
import { pngIsSmaller, qualityMet } from '@kpress/compress/verdict';
import type { ImageOptions } from '@kpress/core';
import { formatBytes } from '@kpress/report/format';
import type { CompressFlags } from '../commands/compress.js';
import { imageOptionsOf, localProvenance } from '../image-options.js';
import { ioReason } from './io-reason.js';
import { realPathOf } from './local-inputs.js';
import { OutputExistsError, writeWhole } from './safe-write.js';

/** What `compress --json` prints: the manifest row shape for one local file. */
export interface CompressRecord {
  input: string;
  output: string;
  /**
   * 'compressed' when the PNG is smaller than the input; 'not-smaller' when it
   * is not (a batch, or a folder run, would keep the original there). The
   * command writes the PNG either way, since that is what was asked for.
   */
  status: 'compressed' | 'not-smaller';
  originalBytes: number;
  outputBytes: number;
  width: number;
  height: number;
  /** Palette size; null for a lossless 16-bit PNG of a deep source. */
  colors: number | null;
  /** dB; Infinity (JSON null) for a lossless 16-bit PNG; a deep source's palette against its full depth. */
  psnr: number;
  /** SSIMULACRA 2.1 score of the PNG against the input, 2 decimals; null where there is none (under 8x8 pixels, over ~46 MP). */
  ssimulacra2: number | null;
  /** Bits per sample of the source. */
  bitDepth: number;
  ms: number;
  /** SHA-256 (hex) of the input bytes as read. */
  sha256: string;
  /** SHA-256 (hex) of the PNG written. */
  outputSha256: string;
  /** With --quality: whether the PSNR reached it (false: even --colors colours fell short). */
  qualityMet?: boolean;
  /** The perceptual target the palette was searched for (SSIMULACRA 2.1); absent for a fixed palette or --quality. */
  target?: number;
}

export async function runCompress(
  input: string,
  output: string,
  flags: CompressFlags,
): Promise<CompressRecord> {
  const started = performance.now();
  if ((await realPathOf(input)) === (await realPathOf(output))) {
    throw new CliError(
      `${output} is the input: kpress never writes over a source; give another output path`,
      EXIT.usage,
    );
  }
  if (flags.overwrite !== true && (await stat(output).catch(() => undefined)) !== undefined) {
    throw new CliError(
      `${output} exists: kpress never writes over a file unless --overwrite is given`,
      EXIT.failure,
    );
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(input);
  } catch (err) {
    throw new CliError(`${input}: ${ioReason(err)}`, 1, { cause: err });
  }
  const deflate = deflateBackend();
  if (deflate.name === 'zlib') say(`deflating with zlib (larger files, slower): ${deflate.reason}`);
  const options = imageOptionsOf(flags);
  const result = await codecResult(input, bytes, options);
  try {
    await writeWhole(output, result.png, { overwrite: flags.overwrite === true });
  } catch (err) {
    if (err instanceof OutputExistsError) throw new CliError(err.message, EXIT.failure);
    throw new CliError(`${output}: cannot write: ${ioReason(err)}`, 1, { cause: err });
  }
  const met = qualityMet(result.psnr, options.quality);
  return {
    input,
    output,
    status: pngIsSmaller(result.png.length, bytes.length) ? 'compressed' : 'not-smaller',
    originalBytes: bytes.length,
    outputBytes: result.png.length,
    width: result.width,
    height: result.height,
    colors: result.colors,
    psnr: Number.isFinite(result.psnr) ? Math.round(result.psnr * 1000) / 1000 : result.psnr,
    ssimulacra2: result.ssimulacra2,
    bitDepth: result.bitDepth,
    ms: Math.round(performance.now() - started),
    sha256: createHash('sha256').update(bytes).digest('hex'),
    outputSha256: createHash('sha256').update(result.png).digest('hex'),
    ...(met === undefined ? {} : { qualityMet: met }),
    ...(options.target === undefined ? {} : { target: options.target }),
  };
}

/**
 * The PNG for one file: a deep source (more than 8 bits per channel) the
 * batch's way (a lossless 16-bit PNG, or refused when none is smaller: the
 * original is the archive; an 8-bit palette only with --allow-8bit, its PSNR
 * against the full depth), any other the palette as always.
 */
async function codecResult(
  input: string,
  bytes: Buffer,
  options: ImageOptions,
): Promise<{
  png: Uint8Array;
  width: number;
  height: number;
  colors: number | null;
  psnr: number;
  ssimulacra2: number | null;
  bitDepth: number;
}> {
  const provenance = localProvenance(
    options,
    basename(input),
    createHash('sha256').update(bytes).digest('hex'),
  );
  try {
    const deep = await compressIfDeep(bytes, {
      source: bytes,
      options,
      maxPixels: DEFAULT_MAX_PIXELS,
      provenance,
    });
    if (deep?.ok === false) {
      throw new CliError(
        `${input}: ${deep.message}; nothing written (--allow-8bit reduces it to an 8-bit palette)`,
        1,
      );
    }
    if (deep !== undefined) return deep;
    const r = await compressImage(bytes, { ...options, provenance });
    return { ...r, bitDepth: 8 };
  } catch (err) {
    if (err instanceof CodecError) {
      const note =
        err.code === 'MULTI_FRAME'
          ? ' (not converted; a batch keeps such files as originals)'
          : err.code === 'BELOW_TARGET'
            ? '; nothing written (a batch keeps such files as originals; a lower --target, or --colors K for a fixed palette, writes one)'
            : '';
      throw new CliError(`${input}: ${err.message}${note}`, 1, { cause: err });
    }
    throw err;
  }
}

export function summaryLine(r: CompressRecord, quality?: number): string {
  const saved = ((r.originalBytes - r.outputBytes) / r.originalBytes) * 100;
  const head = `${r.input} -> ${r.output}: ${formatBytes(r.originalBytes)} -> ${formatBytes(r.outputBytes)}`;
  const score = r.ssimulacra2 === null ? '' : `, SSIMULACRA 2 ${r.ssimulacra2.toFixed(2)}`;
  const how =
    r.colors === null
      ? `lossless ${r.bitDepth}-bit PNG (same samples)`
      : `${r.colors} colours, PSNR ${r.psnr.toFixed(2)} dB${r.bitDepth > 8 ? ` against the ${r.bitDepth}-bit source` : ''}${score}`;
  const tail = `${r.width}x${r.height}, ${how}, ${r.ms} ms`;
  const missed =
    r.qualityMet === false && quality !== undefined
      ? `; --quality ${quality} not reached with at most ${r.colors} colours (raise --colors, up to 256)`
      : '';
  if (r.status === 'not-smaller') {
    return `${head} (${(-saved).toFixed(1)}% larger: PNG written as asked; a batch would keep the original), ${tail}${missed}`;
  }
  return `${head} (saved ${saved.toFixed(1)}%), ${tail}${missed}`;
}
