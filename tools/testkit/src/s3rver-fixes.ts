/** Koa context, as much as the fixes need. */
interface KoaContext {
  method: string;
  path: string;
  query: Record<string, string | string[] | undefined>;
  headers: Record<string, string | string[] | undefined>;
  status: number;
  type: string;
  body: unknown;
  store: {
    getBucket(name: string): Promise<unknown>;
    listObjects(
      bucket: string,
      options: { prefix?: string },
    ): Promise<{ objects: { key: string; size: number; metadata: Record<string, string> }[] }>;
  };
}

function xml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

function errorBody(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xml(message)}</Message></Error>`;
}

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

interface ListedObject {
  key: string;
  bytes: Buffer;
  size: number;
  metadata: Record<string, string>;
}

/**
 * Sorted listings of one server's buckets, by prefix, kept until a write
 * touches a key under that prefix. s3rver's own `listObjects` walks the
 * bucket's directory and reads every object's metadata: answering each
 * 1,000-key page from it made a listing of 20,000 objects O(N) per page
 * (O(N^2) in all). With this cache the first page costs one walk and a sort,
 * every later page a binary search and the page itself.
 *
 * Writes (any method but GET/HEAD on a bucket or key) invalidate the cached
 * prefixes the key falls under (every prefix of the bucket for a bucket-level
 * write such as DeleteObjects); a listing that was computed while a matching
 * write completed is not cached (checked with a per-bucket write log).
 */
class ListingCache {
  private readonly listings = new Map<string, Map<string, ListedObject[]>>();
  /** Per bucket: sequence of the last write, and the recent written keys (null: whole bucket). */
  private readonly writes = new Map<
    string,
    { seq: number; log: { seq: number; key: string | null }[] }
  >();
  private static readonly LOG_LIMIT = 10_000;

  get(bucket: string, prefix: string): ListedObject[] | undefined {
    return this.listings.get(bucket)?.get(prefix);
  }

  /** The write sequence of `bucket` now (pass to `put`). */
  seq(bucket: string): number {
    return this.writes.get(bucket)?.seq ?? 0;
  }

  /** Caches a listing computed from `startSeq`, unless a write under `prefix` has completed since. */
  put(bucket: string, prefix: string, startSeq: number, objects: ListedObject[]): void {
    const w = this.writes.get(bucket);
    if (w !== undefined && w.seq !== startSeq) {
      const oldest = w.log[0]?.seq ?? w.seq + 1;
      if (oldest > startSeq + 1) return; // the log no longer reaches back: do not trust it
      const touched = w.log.some(
        (e) => e.seq > startSeq && (e.key === null || e.key.startsWith(prefix)),
      );
      if (touched) return;
    }
    let byPrefix = this.listings.get(bucket);
    if (byPrefix === undefined) {
      byPrefix = new Map();
      this.listings.set(bucket, byPrefix);
    }
    byPrefix.set(prefix, objects);
  }

  /** A write to `key` of `bucket` (null: the bucket itself, or several keys) has completed. */
  wrote(bucket: string, key: string | null): void {
    const byPrefix = this.listings.get(bucket);
    if (byPrefix !== undefined) {
      for (const prefix of [...byPrefix.keys()]) {
        if (key === null || key.startsWith(prefix)) byPrefix.delete(prefix);
      }
    }
    let w = this.writes.get(bucket);
    if (w === undefined) {
      w = { seq: 0, log: [] };
      this.writes.set(bucket, w);
    }
    w.seq += 1;
    w.log.push({ seq: w.seq, key });
    if (w.log.length > ListingCache.LOG_LIMIT)
      w.log.splice(0, w.log.length - ListingCache.LOG_LIMIT);
  }
}

/** One cache per s3rver instance (its store), so that servers never share listings. */
const caches = new WeakMap<object, ListingCache>();
function cacheFor(store: object): ListingCache {
  let cache = caches.get(store);
  if (cache === undefined) {
    cache = new ListingCache();
    caches.set(store, cache);
  }
  return cache;
}

/** Index of the first object whose key sorts after `afterBytes` (UTF-8 byte order). */
function firstAfter(sorted: readonly ListedObject[], afterBytes: Buffer): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (Buffer.compare((sorted[mid] as ListedObject).bytes, afterBytes) > 0) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * ListObjectsV2 without delimiter, answered in S3's order (UTF-8 bytes) with
 * working pagination: s3rver lists in its filesystem walk order (`a-b` before
 * `a`) and fails (HTTP 500) on some continuation tokens. Pages come from the
 * cached sorted listing of the prefix (see `ListingCache`).
 */
async function listV2(ctx: KoaContext, bucket: string): Promise<boolean> {
  if (!(await ctx.store.getBucket(bucket))) return false; // s3rver answers NoSuchBucket
  const prefix = one(ctx.query.prefix) ?? '';
  const maxKeys = Math.min(1000, Number(one(ctx.query['max-keys']) ?? 1000));
  const token = one(ctx.query['continuation-token']);
  const after = token
    ? Buffer.from(token, 'base64url').toString('utf8')
    : (one(ctx.query['start-after']) ?? '');
  const afterBytes = Buffer.from(after);
  const cache = cacheFor(ctx.store);
  let sorted = cache.get(bucket, prefix);
  if (sorted === undefined) {
    const startSeq = cache.seq(bucket);
    const { objects } = await ctx.store.listObjects(bucket, { prefix });
    sorted = objects
      .map((o) => ({ key: o.key, bytes: Buffer.from(o.key), size: o.size, metadata: o.metadata }))
      .sort((x, y) => Buffer.compare(x.bytes, y.bytes));
    cache.put(bucket, prefix, startSeq, sorted);
  }
  const from = firstAfter(sorted, afterBytes);
  const page = sorted.slice(from, from + maxKeys);
  const truncated = from + page.length < sorted.length;
  const last = page[page.length - 1];
  const contents = page
    .map(
      (o) =>
        `<Contents><Key>${xml(o.key)}</Key><LastModified>${new Date(o.metadata['last-modified'] ?? Date.now()).toISOString()}</LastModified><ETag>${xml(o.metadata.etag ?? '')}</ETag><Size>${o.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
    )
    .join('');
  const next =
    truncated && last
      ? `<NextContinuationToken>${Buffer.from(last.key).toString('base64url')}</NextContinuationToken>`
      : '';
  ctx.status = 200;
  ctx.type = 'application/xml';
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xml(bucket)}</Name><Prefix>${xml(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${next}${contents}</ListBucketResult>`;
  return true;
}

/** `[bucket, key]` of a path-style request (`key` null for the bucket itself), or undefined. */
function target(path: string): [string, string | null] | undefined {
  const m = /^\/([^/]+)(?:\/(.*))?$/.exec(path);
  if (m?.[1] === undefined) return undefined;
  try {
    const bucket = decodeURIComponent(m[1]);
    const key = m[2] === undefined || m[2] === '' ? null : decodeURIComponent(m[2]);
    return [bucket, key];
  } catch {
    return undefined;
  }
}

/**
 * Koa middleware put in front of s3rver's own, working around its bugs:
 * - ListObjectsV2 order and pagination (see `listV2`), each page from a cached
 *   sorted listing invalidated by writes (see `ListingCache`);
 * - it decodes `x-amz-copy-source` with decodeURI, so keys with '+', '?', '&',
 *   '=', '#', ... (correctly encoded by the client, as S3 requires) are not found:
 *   the header is re-encoded so that decodeURI yields the exact key;
 * - its filesystem store joins paths, so a key with a '.' or '..' segment would be
 *   stored under another key (or outside its directory): such keys are refused
 *   with a 400 `InvalidArgument` instead (real S3 keeps them literal).
 */
export async function s3rverFixes(ctx: KoaContext, next: () => Promise<unknown>): Promise<unknown> {
  const source = one(ctx.headers['x-amz-copy-source']);
  if (source !== undefined) {
    try {
      ctx.headers['x-amz-copy-source'] = encodeURI(decodeURIComponent(source));
    } catch {
      // leave a malformed header to s3rver
    }
  }
  const segments = [ctx.path, source ?? ''].flatMap((p) => {
    try {
      return decodeURIComponent(p).split('/');
    } catch {
      return [];
    }
  });
  if (segments.some((s) => s === '..' || s === '.')) {
    ctx.status = 400;
    ctx.type = 'application/xml';
    ctx.body = errorBody(
      'InvalidArgument',
      's3rver (the test server) cannot store keys with "." or ".." segments',
    );
    return;
  }
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
    // a write (PUT, POST, DELETE; CopyObject is a PUT on its destination): forget
    // the cached listings it may change once it has completed, failed or not
    const written = target(ctx.path);
    try {
      return await next();
    } finally {
      if (written !== undefined) cacheFor(ctx.store).wrote(written[0], written[1]);
    }
  }
  const bucketOnly = /^\/([^/]+)\/?$/.exec(ctx.path);
  if (
    ctx.method === 'GET' &&
    bucketOnly?.[1] !== undefined &&
    one(ctx.query['list-type']) === '2' &&
    !one(ctx.query.delimiter)
  ) {
    if (await listV2(ctx, decodeURIComponent(bucketOnly[1]))) return;
  }
  return next();
}
