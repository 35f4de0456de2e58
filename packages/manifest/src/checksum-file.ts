/**
 * `manifest-sha256.txt`: the BagIt payload-manifest / GNU `sha256sum` line
 * format, `<hex>  <path>`, so that a copy of the destination made with any
 * tool can be checked with `sha256sum -c manifest-sha256.txt` from its root.
 * Pure.
 */
import type { ManifestRow } from './row.js';

/**
 * One checksum line. A path holding a backslash or a newline is written as GNU
 * coreutils does: the line starts with `\`, and `\` and newline become `\\`
 * and `\n` (both `sha256sum -c` and BagIt tools read that form).
 */
export function checksumLine(sha256Hex: string, path: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256Hex)) {
    throw new RangeError(
      `sha256 must be 64 lower-case hex digits, got ${JSON.stringify(sha256Hex)}`,
    );
  }
  if (!/[\\\n\r]/.test(path)) return `${sha256Hex}  ${path}\n`;
  const escaped = path.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  return `\\${sha256Hex}  ${escaped}\n`;
}

/**
 * The checksum line of a row that wrote an output, with the output's path
 * relative to the destination prefix; undefined for a row that wrote nothing
 * or carries no digest (records written before digests existed).
 */
export function rowChecksumLine(row: ManifestRow, destPrefix: string): string | undefined {
  if (row.status === 'failed' || row.outputKey === null || !row.outputSha256) return undefined;
  if (!row.outputKey.startsWith(destPrefix)) {
    throw new RangeError(
      `output key ${JSON.stringify(row.outputKey)} is not under the destination prefix ${JSON.stringify(destPrefix)}`,
    );
  }
  return checksumLine(row.outputSha256, row.outputKey.slice(destPrefix.length));
}
