/** A bucket and a key prefix: where a dataset lives. */
export interface S3Location {
  bucket: string;
  /** Ends in '/' unless empty (the whole bucket). */
  prefix: string;
}

/**
 * Why `name` is not a valid S3 bucket name (general purpose bucket rules:
 * 3-63 characters, lowercase letters, digits, '.' and '-', starting and ending
 * with a letter or digit, no '..', not an IP address), or undefined when valid.
 */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'must be 3 to 63 characters long';
  if (!/^[a-z0-9.-]+$/.test(name)) {
    return 'may hold only lowercase letters, digits, "." and "-"';
  }
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) {
    return 'must start and end with a letter or digit';
  }
  if (name.includes('..')) return 'must not contain ".."';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'must not look like an IP address';
  return undefined;
}

/**
 * Parses `s3://bucket/prefix/`. The prefix is normalised to end in '/' unless
 * it is empty (`s3://bucket` and `s3://bucket/` mean the whole bucket).
 * Throws a `TypeError` naming the text when it is not an s3:// URL or the bucket
 * name is invalid.
 */
export function parseS3Url(text: string): S3Location {
  const match = /^s3:\/\/([^/]*)(?:\/(.*))?$/s.exec(text);
  if (!match) throw new TypeError(`not an s3:// URL: ${JSON.stringify(text)}`);
  const bucket = match[1] ?? '';
  const problem = bucketNameProblem(bucket);
  if (problem !== undefined) {
    throw new TypeError(
      `bucket name ${JSON.stringify(bucket)} is invalid: ${problem} (in ${JSON.stringify(text)})`,
    );
  }
  let prefix = match[2] ?? '';
  if (prefix !== '' && !prefix.endsWith('/')) prefix += '/';
  if (prefix.startsWith('/')) {
    throw new TypeError(
      `prefix of ${JSON.stringify(text)} starts with "/": write s3://${bucket}/${prefix.replace(/^\/+/, '')}`,
    );
  }
  const unsafe = unsafeSegmentProblem(prefix);
  if (unsafe !== undefined) {
    throw new TypeError(
      `prefix of ${JSON.stringify(text)} ${unsafe}: some S3-compatible stores and proxies normalise such paths, so the prefix would not mean what it says`,
    );
  }
  return { bucket, prefix };
}

/**
 * Why a path (a key or a prefix, '/'-separated) holds a segment that some
 * S3-compatible stores and proxies rewrite: an empty one (`a//b`, a leading
 * `/`), `.` or `..`; undefined when every segment is a plain name. A trailing
 * '/' (a prefix) is not an empty segment.
 */
export function unsafeSegmentProblem(path: string): string | undefined {
  const body = path.endsWith('/') ? path.slice(0, -1) : path;
  if (body === '') return undefined;
  for (const segment of body.split('/')) {
    if (segment === '') return 'has an empty path segment ("//" or a leading "/")';
    if (segment === '.' || segment === '..') return `has a ${JSON.stringify(segment)} path segment`;
  }
  return undefined;
}

/** `s3://bucket/prefix` for a location (the inverse of `parseS3Url`). */
export function formatS3Url(location: S3Location): string {
  return `s3://${location.bucket}/${location.prefix}`;
}

/**
 * True when both locations are in the same bucket and one prefix is inside the
 * other (or equal): writing outputs there would mix with, or destroy, the source.
 */
export function prefixesOverlap(a: S3Location, b: S3Location): boolean {
  const pa = normalisePrefix(a.prefix);
  const pb = normalisePrefix(b.prefix);
  return a.bucket === b.bucket && (pa.startsWith(pb) || pb.startsWith(pa));
}

/**
 * A prefix as a store that normalises paths would read it: empty and `.`
 * segments dropped, `..` taking the segment before it (never above the
 * bucket), ending in '/' unless empty. The overlap check compares these, so
 * `out/./` and `out//` overlap `out/` whatever the store does with them.
 */
export function normalisePrefix(prefix: string): string {
  const out: string[] = [];
  for (const segment of prefix.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  return out.length === 0 ? '' : `${out.join('/')}/`;
}
