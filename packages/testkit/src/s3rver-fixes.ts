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

/**
 * ListObjectsV2 without delimiter, answered in S3's order (UTF-8 bytes) with
 * working pagination: s3rver lists in its filesystem walk order (`a-b` before
 * `a`) and fails (HTTP 500) on some continuation tokens.
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
  const { objects } = await ctx.store.listObjects(bucket, { prefix });
  const sorted = objects
    .map((o) => ({ o, bytes: Buffer.from(o.key) }))
    .filter((x) => Buffer.compare(x.bytes, afterBytes) > 0)
    .sort((x, y) => Buffer.compare(x.bytes, y.bytes));
  const page = sorted.slice(0, maxKeys);
  const truncated = sorted.length > page.length;
  const last = page[page.length - 1];
  const contents = page
    .map(
      ({ o }) =>
        `<Contents><Key>${xml(o.key)}</Key><LastModified>${new Date(o.metadata['last-modified'] ?? Date.now()).toISOString()}</LastModified><ETag>${xml(o.metadata.etag ?? '')}</ETag><Size>${o.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
    )
    .join('');
  const next =
    truncated && last
      ? `<NextContinuationToken>${Buffer.from(last.o.key).toString('base64url')}</NextContinuationToken>`
      : '';
  ctx.status = 200;
  ctx.type = 'application/xml';
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xml(bucket)}</Name><Prefix>${xml(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${next}${contents}</ListBucketResult>`;
  return true;
}

/**
 * Koa middleware put in front of s3rver's own, working around its bugs:
 * - ListObjectsV2 order and pagination (see `listV2`);
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
