import { type S3Server, startS3Server, testS3Kinds, uploadFixtures } from '@kpress/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listObjectsFanOut } from './fan-out-listing.js';
import { createS3Client } from './s3-client.js';
import { type ObjectEntry, Storage } from './storage.js';
import { StorageError } from './storage-error.js';

describe.each(testS3Kinds())('listObjectsFanOut on %s', (kind) => {
  let s3: S3Server;
  let storage: Storage;
  /** LIST requests sent, and the most in flight at once (counted in the client's middleware). */
  const requests = { sent: 0, inFlight: 0, maxInFlight: 0 };
  const B = 'kp-fan';
  // s3rver 3.7 cannot page a delimited listing (a page that ends on a folder
  // fails with a 500, and its token skips folders), and sends its objects out
  // of order: only RGW pages the levels
  const levelPageSize = kind === 'rgw' ? 2 : 1000;

  // s3rver's filesystem store cannot hold a name that is both an object and a
  // folder ("x" and "x/c"); RGW, as S3, can
  const names = [
    ...(kind === 'rgw' ? ['x', 'x/c', 'x/c/d/e'] : []),
    'a',
    'a!',
    'a.png',
    'a0',
    'a/b',
    'a/b/c/d',
    'a/b/c/e',
    'a/b!/f',
    'a/b0',
    ...Array.from({ length: 10 }, (_, i) => `big/${String(i).padStart(2, '0')}.png`),
    'big/sub/1.png',
    'deep/1/2/3/4/5.png',
    'm/',
    'é/f',
    'ée',
    '\u{E000}/a',
    '\u{1F600}/a',
    '\u{1F600}b',
    'z',
  ];
  const expected = names
    .filter((n) => !n.endsWith('/'))
    .map((n) => `fan/${n}`)
    .sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));

  beforeAll(async () => {
    s3 = await startS3Server({ kind, buckets: [B] });
    const client = createS3Client(
      { s3Endpoint: s3.endpoint, s3ForcePathStyle: true, awsRegion: 'us-east-1' },
      {
        credentials: {
          accessKeyId: s3.env.AWS_ACCESS_KEY_ID,
          secretAccessKey: s3.env.AWS_SECRET_ACCESS_KEY,
        },
      },
    );
    client.middlewareStack.add(
      (next) => async (args) => {
        requests.sent++;
        requests.inFlight++;
        requests.maxInFlight = Math.max(requests.maxInFlight, requests.inFlight);
        try {
          return await next(args);
        } finally {
          requests.inFlight--;
        }
      },
      { step: 'finalizeRequest', name: 'countRequests' },
    );
    storage = new Storage({ client, pageSize: 3 });
    const files: Record<string, string> = {};
    for (const n of names) files[n] = n;
    await uploadFixtures(s3.client, B, 'fan/', files);
    await uploadFixtures(
      s3.client,
      B,
      'flat/',
      Object.fromEntries(names.slice(-4).map((n) => [n.replace('/', '_'), n])),
    );
  });
  afterAll(async () => {
    storage?.close();
    await s3?.close();
  });

  async function keys(it: AsyncIterable<ObjectEntry>): Promise<string[]> {
    const out: string[] = [];
    for await (const e of it) out.push(e.key);
    return out;
  }

  function counting() {
    requests.sent = 0;
    requests.maxInFlight = 0;
    return requests;
  }

  it('serial listing is the reference: every object in byte order', async () => {
    expect(await keys(storage.listObjects(B, 'fan/'))).toEqual(expected);
  });

  if (kind === 'rgw') {
    it.each([
      [2, 1],
      [3, 2],
      [8, 3],
      [8, 9],
    ])(
      'concurrency %i, depth %i: the same keys in the same order, within the bound',
      async (concurrency, depth) => {
        const seen = counting();
        const listed: ObjectEntry[] = [];
        for await (const e of listObjectsFanOut(storage, B, 'fan/', {
          concurrency,
          depth,
          levelPageSize,
        }))
          listed.push(e);
        expect(listed.map((e) => e.key)).toEqual(expected);
        expect(listed.find((e) => e.key === 'fan/a.png')?.size).toBe(5);
        expect(seen.maxInFlight).toBeLessThanOrEqual(concurrency);
        expect(seen.maxInFlight).toBeGreaterThan(1);
      },
    );
  }

  if (kind === 's3rver') {
    it('s3rver is listed serially: its delimited listings drop folders (its env says so)', async () => {
      expect(s3.env.KPRESS_LIST_CONCURRENCY).toBe('1');
      const fanned = await keys(listObjectsFanOut(storage, B, 'fan/', { concurrency: 4 }));
      expect(fanned).not.toEqual(expected);
      expect(fanned.length).toBeLessThan(expected.length);
    });
  }

  it('a prefix without folders costs the requests of a serial listing', async () => {
    const serial = counting();
    const one = await keys(storage.listObjects(B, 'flat/', { pageSize: levelPageSize }));
    const serialRequests = serial.sent;
    const fan = counting();
    expect(
      await keys(listObjectsFanOut(storage, B, 'flat/', { concurrency: 4, levelPageSize })),
    ).toEqual(one);
    expect(fan.sent).toBe(serialRequests);
  });

  it('a consumer that stops early stops the listing ahead', async () => {
    const seen = counting();
    const first: string[] = [];
    for await (const e of listObjectsFanOut(storage, B, 'fan/', {
      concurrency: 4,
      levelPageSize,
    })) {
      first.push(e.key);
      if (first.length === 2) break;
    }
    expect(first).toEqual(expected.slice(0, 2));
    await new Promise((r) => setTimeout(r, 300));
    const after = seen.sent;
    await new Promise((r) => setTimeout(r, 300));
    expect(seen.sent).toBe(after);
    expect(seen.inFlight).toBe(0);
  });

  it('fails with the StorageError of the listing (a missing bucket)', async () => {
    const err = await keys(listObjectsFanOut(storage, 'kp-no-such-bucket', 'fan/')).catch((e) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).code).toBe('NoSuchBucket');
  });

  it('refuses a bound that is not a whole number, naming it', async () => {
    await expect(keys(listObjectsFanOut(storage, B, 'fan/', { concurrency: 0 }))).rejects.toThrow(
      'concurrency must be a whole number >= 1, got 0',
    );
    await expect(keys(listObjectsFanOut(storage, B, 'fan/', { depth: 1.5 }))).rejects.toThrow(
      'depth must be a whole number >= 0, got 1.5',
    );
  });
});
