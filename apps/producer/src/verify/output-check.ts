/**
 * What can be wrong with one output, given its manifest row and the bytes
 * found in S3. Pure: the I/O is in verify-batch.ts.
 */
import { createHash } from 'node:crypto';
import { readPngHeader } from '@kpress/codec';
import { isLosslessDeepRow, type ManifestRow } from '@kpress/manifest';

/** One thing wrong with the archive, named by the object it concerns. */
export interface Problem {
  /** The object (output key, source key, or a batch file) the problem is about. */
  key: string;
  /**
   * missing, size, checksum, not-palette-png, not-16-bit-png, extra,
   * source-changed, psnr, ssimulacra2, samples, manifest, not-tagged.
   */
  kind: string;
  /** What is wrong, for a person. */
  detail: string;
}

/** The problems of one output (none when it is what the row says). */
export function checkOutput(row: ManifestRow, bytes: Uint8Array | undefined): Problem[] {
  const key = row.outputKey as string;
  if (bytes === undefined) return [{ key, kind: 'missing', detail: 'the output is gone' }];
  const problems: Problem[] = [];
  if (bytes.byteLength !== row.outputBytes) {
    problems.push({
      key,
      kind: 'size',
      detail: `${bytes.byteLength} bytes, the manifest says ${row.outputBytes}`,
    });
  }
  if (row.outputSha256) {
    const found = createHash('sha256').update(bytes).digest('hex');
    if (found !== row.outputSha256) {
      problems.push({
        key,
        kind: 'checksum',
        detail: `sha256 ${found}, the manifest says ${row.outputSha256}`,
      });
    }
  }
  if (isLosslessDeepRow(row)) {
    problems.push(...checkLossless16(row, bytes));
  } else if (row.status === 'compressed') {
    const h = readPngHeader(bytes);
    if ('problem' in h) {
      problems.push({ key, kind: 'not-palette-png', detail: h.problem });
    } else if (h.colorType !== 3) {
      problems.push({
        key,
        kind: 'not-palette-png',
        detail: `PNG colour type ${h.colorType}, not 3 (palette)`,
      });
    } else if (h.width !== row.width || h.height !== row.height) {
      problems.push({
        key,
        kind: 'not-palette-png',
        detail: `${h.width}x${h.height}, the manifest says ${row.width}x${row.height}`,
      });
    } else if (row.colors !== null && h.paletteEntries > row.colors) {
      problems.push({
        key,
        kind: 'not-palette-png',
        detail: `${h.paletteEntries} palette entries, the manifest says at most ${row.colors}`,
      });
    }
  }
  return problems;
}

/**
 * The problems of a copied row's output, from its streamed digest
 * (undefined: gone): its size and sha256 are the row's, and the row's
 * output sha256 is its source's (a copy is the source's bytes). Pure.
 */
export function checkCopy(
  row: ManifestRow,
  found: { sha256: string; bytes: number } | undefined,
): Problem[] {
  const key = row.outputKey as string;
  if (found === undefined) return [{ key, kind: 'missing', detail: 'the copy is gone' }];
  const problems: Problem[] = [];
  if (found.bytes !== row.outputBytes) {
    problems.push({
      key,
      kind: 'size',
      detail: `${found.bytes} bytes, the manifest says ${row.outputBytes}`,
    });
  }
  if (!row.outputSha256 || found.sha256 !== row.outputSha256) {
    problems.push({
      key,
      kind: 'checksum',
      detail: `sha256 ${found.sha256}, the manifest says ${row.outputSha256 ?? 'nothing'}`,
    });
  }
  if (row.outputSha256 && row.outputSha256 !== row.sha256) {
    problems.push({
      key,
      kind: 'checksum',
      detail: `the manifest records the copy's sha256 ${row.outputSha256}, not its source's ${row.sha256 ?? '(none)'}`,
    });
  }
  return problems;
}

/** PNG colour types at bit depth 16: grey, RGB, grey + alpha, RGBA. */
const DEEP_COLOUR_TYPES = new Set([0, 2, 4, 6]);

/**
 * A lossless 16-bit re-encode of a deep source: a PNG of bit depth 16, not a
 * palette, of the row's size. Its samples are the source's: `--deep` decodes
 * both (verify-batch.ts). The row's size is after EXIF orientation and the
 * samples are stored unrotated, so a quarter-turned size is the same image.
 */
function checkLossless16(row: ManifestRow, bytes: Uint8Array): Problem[] {
  const key = row.outputKey as string;
  const problem = (detail: string): Problem[] => [{ key, kind: 'not-16-bit-png', detail }];
  const h = readPngHeader(bytes);
  if ('problem' in h) return problem(h.problem);
  if (h.bitDepth !== 16 || !DEEP_COLOUR_TYPES.has(h.colorType)) {
    return problem(
      `PNG bit depth ${h.bitDepth}, colour type ${h.colorType}: not a 16-bit grey or RGB(A) PNG`,
    );
  }
  const same = h.width === row.width && h.height === row.height;
  const turned = h.width === row.height && h.height === row.width;
  if (!same && !turned)
    return problem(`${h.width}x${h.height}, the manifest says ${row.width}x${row.height}`);
  return [];
}

/** One problem as the line `kpress verify` prints: `<key>: <kind>: <detail>`. */
export function problemLine(p: Problem): string {
  return `${p.key}: ${p.kind}: ${p.detail}`;
}

/** Scores this far apart are the same: records carry 2 decimals. */
export const SCORE_TOLERANCE = 0.01;

/** The S3 metadata name of an output's score (`x-amz-meta-kpress-ssimulacra2`). */
export const SCORE_METADATA = 'kpress-ssimulacra2';

const differs = (a: number, b: number) => Math.abs(a - b) > SCORE_TOLERANCE + 1e-9;

/**
 * --deep: the SSIMULACRA 2.1 score recomputed from the source and the output
 * against the one the row records and the one the output's metadata carries
 * (`metadata` undefined: the object has none), and, in a batch with a
 * perceptual `target`, the recorded and recomputed scores against it. Nothing
 * to say for a row that records no score (older batches, images under 8x8). Pure.
 */
export function checkScore(
  row: ManifestRow,
  recomputed: number | null,
  metadata: string | undefined,
  target?: number,
): Problem[] {
  if (row.ssimulacra2 === null || row.ssimulacra2 === undefined) return [];
  const key = row.outputKey as string;
  const recorded = row.ssimulacra2;
  const found = recomputed === null ? 'no score (under 8x8 pixels)' : recomputed.toFixed(2);
  const problems: Problem[] = [];
  // DESIGN invariant 10: an output of a target batch reaches its target, else the original is kept
  const below = [recorded, ...(recomputed === null ? [] : [recomputed])].filter(
    (s) => target !== undefined && s < target,
  );
  if (target !== undefined && below.length > 0) {
    problems.push({
      key,
      kind: 'ssimulacra2',
      detail: `SSIMULACRA 2.1 ${Math.min(...below).toFixed(2)} is below the batch's target ${target} (the manifest says ${recorded.toFixed(2)}, recomputed ${found}): an output below its target is never stored`,
    });
  }
  if (recomputed === null || differs(recomputed, recorded)) {
    problems.push({
      key,
      kind: 'ssimulacra2',
      detail: `SSIMULACRA 2.1 ${found} against the source, the manifest says ${recorded.toFixed(2)}`,
    });
  }
  const meta = metadata === undefined ? Number.NaN : Number(metadata);
  if (metadata === undefined || metadata.trim() === '' || !Number.isFinite(meta)) {
    problems.push({
      key,
      kind: 'ssimulacra2',
      detail: `the output's metadata ${SCORE_METADATA} is ${metadata === undefined ? 'missing' : JSON.stringify(metadata)}, the manifest says ${recorded.toFixed(2)}`,
    });
  } else if (differs(meta, recorded)) {
    problems.push({
      key,
      kind: 'ssimulacra2',
      detail: `the output's metadata ${SCORE_METADATA} says ${metadata}, the manifest says ${recorded.toFixed(2)} (recomputed ${found})`,
    });
  }
  return problems;
}
