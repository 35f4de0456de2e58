import { z } from 'zod';

/**
 * What happened to one source object (DESIGN.md, invariant 2): `compressed`
 * (a PNG written), `kept-original` (a good image a palette PNG cannot hold,
 * its bytes written), `copied` (an object kpress cannot or should not
 * compress: its bytes written under its own name, with the reason),
 * `skipped` (with `imagesOnly`: such an object, nothing written), `failed`
 * (it could not be read, or its path is unsafe or taken).
 */
export const ROW_STATUSES = ['compressed', 'kept-original', 'copied', 'skipped', 'failed'] as const;
export const RowStatusSchema = z.enum(ROW_STATUSES);
export type RowStatus = z.infer<typeof RowStatusSchema>;

/**
 * How an infinite PSNR (a lossless result: output pixels identical to the
 * source) is written in JSON and CSV. JSON has no Infinity, and a cap such as
 * 99 dB would be indistinguishable from a real, very good result; `null`
 * already means "unknown" (failed rows). So the wire form is the string
 * "Infinity", which `parseRow` turns back into `Number.POSITIVE_INFINITY`
 * (also what JavaScript's `Number("Infinity")` and Python's
 * `float("Infinity")` read).
 */
export const PSNR_INFINITY = 'Infinity';

/** PSNR in dB: a number >= 0, Infinity for lossless, null when unknown. */
export const PsnrSchema = z
  .union([
    z.number().min(0),
    z.literal(PSNR_INFINITY).transform(() => Number.POSITIVE_INFINITY),
    z.custom<number>((v) => v === Number.POSITIVE_INFINITY, 'expected Infinity'),
  ])
  .nullable();

const count = z.number().int().min(0);
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lower-case hex digits');
const dimension = z.number().int().min(1);

const RowObjectSchema = z.object({
  /** Full source key (not a URL). */
  key: z.string().min(1),
  status: RowStatusSchema,
  /** Size of the source object in bytes. */
  originalBytes: count,
  /** Full key in the destination bucket; null when nothing was written. */
  outputKey: z.string().min(1).nullable(),
  outputBytes: count.nullable(),
  /** After EXIF orientation. */
  width: dimension.nullable(),
  height: dimension.nullable(),
  /** Palette size actually written (1..256). */
  colors: z.number().int().min(1).max(256).nullable(),
  psnr: PsnrSchema,
  /** Time spent on the object in milliseconds. */
  ms: z.number().min(0),
  /** Human reason: required for every row but a compressed one (null there). */
  error: z.string().nullable(),
  /** SHA-256 (hex) of the source bytes as read; null when nothing was read. Absent in older records. */
  sha256: sha256Hex.nullable().optional(),
  /** SHA-256 (hex) of the bytes written (for a kept original, the same digest); null when nothing was written. */
  outputSha256: sha256Hex.nullable().optional(),
  /** The source's ETag as S3 served it with the bytes read; null when nothing was read. */
  etag: z.string().nullable().optional(),
  /**
   * True when the source object was gone at the finalize (deleted after it was
   * processed, as in "archive, then delete the originals"); the row and its
   * output stay. Absent in records, which never know it.
   */
  sourceDeleted: z.boolean().optional(),
  /**
   * With a quality target (`--quality`): whether the PSNR reached it; false
   * when even the largest palette allowed (`--colors`) fell short. Null or
   * absent without a target, and for rows that were not compressed.
   */
  qualityMet: z.boolean().nullable().optional(),
  /**
   * SSIMULACRA 2.1 score of the output against the oriented source (100
   * identical, 90 visually lossless, 80 not noticeable side by side, 70 high,
   * 50 medium, 30 low; below 0 for strong distortion), 2 decimals. Null where
   * nothing was compressed (kept-original, failed) and for a compressed image
   * smaller than 8x8, where the metric is not defined. Absent in older records.
   */
  ssimulacra2: z.number().max(100).nullable().optional(),
  /**
   * Bits per sample of the source (8, 16, ...), where it is an image whose
   * header was read; null otherwise. Absent in older records and manifests.
   */
  bitDepth: z.number().int().min(1).max(64).nullable().optional(),
});

/**
 * A compressed row without a palette (`colors` null) is a lossless full-depth
 * re-encode of a source deeper than 8 bits: a 16-bit PNG of exactly its
 * samples, PSNR Infinity, and its `bitDepth` above 8.
 */
export function isLosslessDeepRow(
  row: Pick<ManifestRow, 'status' | 'colors' | 'psnr' | 'bitDepth'>,
): boolean {
  return (
    row.status === 'compressed' &&
    row.colors === null &&
    row.psnr === Number.POSITIVE_INFINITY &&
    (row.bitDepth ?? 0) > 8
  );
}

/**
 * One line of manifest.jsonl (DESIGN.md). Checks that each status carries
 * what it must: compressed rows have an output, its size, dimensions,
 * colours (none for a lossless 16-bit re-encode: isLosslessDeepRow) and PSNR; kept-original
 * and copied rows have an output, its size and a reason; skipped and failed
 * rows have a reason, and a skipped row no output.
 */
export const ManifestRowSchema = RowObjectSchema.superRefine((row, ctx) => {
  const need = (field: keyof typeof row) => {
    if (row[field] === null) {
      ctx.addIssue({
        code: 'custom',
        path: [field],
        message: `${field} must not be null for a ${row.status} row (key ${JSON.stringify(row.key)})`,
      });
    }
  };
  if (row.status === 'compressed') {
    for (const f of ['outputKey', 'outputBytes', 'width', 'height', 'psnr'] as const) need(f);
    // no palette only for a lossless full-depth re-encode (isLosslessDeepRow)
    if (!isLosslessDeepRow(row)) need('colors');
  } else if (row.status === 'kept-original' || row.status === 'copied') {
    need('outputKey');
    need('outputBytes');
    need('error');
  } else {
    need('error');
  }
  if (row.status === 'skipped' && row.outputKey !== null) {
    ctx.addIssue({
      code: 'custom',
      path: ['outputKey'],
      message: `a skipped row writes nothing: outputKey must be null (key ${JSON.stringify(row.key)})`,
    });
  }
  if (row.status === 'failed' && row.error === '') {
    ctx.addIssue({ code: 'custom', path: ['error'], message: 'a failed row needs a reason' });
  }
});

export type ManifestRow = z.infer<typeof ManifestRowSchema>;

/** The manifest's field order: JSON lines and CSV columns follow it. */
export const MANIFEST_FIELDS = [
  'key',
  'status',
  'originalBytes',
  'outputKey',
  'outputBytes',
  'width',
  'height',
  'colors',
  'psnr',
  'ms',
  'error',
  'sha256',
  'outputSha256',
  'etag',
  'sourceDeleted',
  'qualityMet',
  'ssimulacra2',
  'bitDepth',
] as const satisfies readonly (keyof ManifestRow)[];

/** Thrown when a manifest line cannot be read; `line` holds (the start of) the bad text. */
export class ManifestRowError extends Error {
  override readonly name = 'ManifestRowError';
  constructor(
    message: string,
    readonly line: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

function preview(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** Validates an in-memory row (e.g. one a worker built); throws a ManifestRowError naming the bad field. */
export function validateRow(value: unknown): ManifestRow {
  const result = ManifestRowSchema.safeParse(value);
  if (!result.success) {
    const text = (() => {
      try {
        return JSON.stringify(value) ?? String(value);
      } catch {
        return String(value);
      }
    })();
    const issues = result.error.issues
      .map((i) => `${i.path.join('.') || '(row)'}: ${i.message}`)
      .join('; ');
    throw new ManifestRowError(`invalid manifest row: ${issues}`, preview(text), {
      cause: result.error,
    });
  }
  return result.data;
}

/** Parses one manifest.jsonl line (surrounding whitespace ignored). PSNR "Infinity" becomes Infinity. */
export function parseRow(line: string): ManifestRow {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (cause) {
    throw new ManifestRowError(
      `manifest line is not JSON: ${(cause as Error).message}: ${JSON.stringify(preview(line))}`,
      preview(line),
      { cause },
    );
  }
  return validateRow(value);
}

/** The wire form of a PSNR: a finite number, "Infinity" or null. */
export function psnrToWire(psnr: number | null): number | typeof PSNR_INFINITY | null {
  return psnr === Number.POSITIVE_INFINITY ? PSNR_INFINITY : psnr;
}

/**
 * A field as JSON and CSV write it: PSNR in its wire form, `sourceDeleted`
 * always a boolean, digests null when absent.
 */
export function wireValue(
  row: ManifestRow,
  field: (typeof MANIFEST_FIELDS)[number],
): string | number | boolean | null {
  if (field === 'psnr') return psnrToWire(row.psnr);
  if (field === 'sourceDeleted') return row.sourceDeleted === true;
  return row[field] ?? null;
}

/** One manifest.jsonl line, fields in MANIFEST_FIELDS order, ending in "\n". */
export function rowToJsonLine(row: ManifestRow): string {
  const ordered: Record<string, unknown> = {};
  for (const field of MANIFEST_FIELDS) {
    ordered[field] = wireValue(row, field);
  }
  return `${JSON.stringify(ordered)}\n`;
}
