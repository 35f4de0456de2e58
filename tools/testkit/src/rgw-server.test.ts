/**
 * The test RGW: starts on loopback, stops exactly its own daemons (by pid),
 * and leaves none behind when the process that started it is SIGKILLed. Also
 * pins the S3 behaviour kpress relies on and s3rver only has through patches.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CopyObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRgwServer } from './rgw-server.js';
import { type S3Server, s3ClientFor } from './s3-server-handle.js';
import { spawnProcess } from './spawn-process.js';

/** Pids of the Ceph daemons (not their watchdog shells) whose command line mentions `dir`. */
function daemonsIn(dir: string): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,comm=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(
      ([, comm, ...args]) =>
        /^(ceph-mon|ceph-osd|radosgw)$/.test(comm ?? '') && args.join(' ').includes(dir),
    )
    .map(([pid]) => Number(pid));
}

describe('startRgwServer', () => {
  let s3: S3Server;
  beforeAll(async () => {
    s3 = await startRgwServer({ buckets: ['rgw-rt'] });
  });
  afterAll(async () => {
    await s3.close();
  });

  it('serves signed S3 on loopback with a fresh key', async () => {
    expect(s3.kind).toBe('rgw');
    expect(s3.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const other = await startRgwServer();
    try {
      expect(other.credentials.accessKeyId).not.toBe(s3.credentials.accessKeyId);
      expect(other.port).not.toBe(s3.port);
    } finally {
      await other.close();
    }
  });

  it('lists in UTF-8 byte order across truncated pages with StartAfter', async () => {
    const names = ['a', 'a-b', 'a.b', 'a/b', 'b', 'é', 'z', 'ä/x', '日本'];
    for (const n of names) {
      await s3.client.send(new PutObjectCommand({ Bucket: 'rgw-rt', Key: `o/${n}`, Body: n }));
    }
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.client.send(
        new ListObjectsV2Command({
          Bucket: 'rgw-rt',
          Prefix: 'o/',
          MaxKeys: 2,
          ContinuationToken: token,
        }),
      );
      keys.push(...(page.Contents ?? []).map((c) => c.Key as string));
      token = page.NextContinuationToken;
    } while (token);
    const byteOrder = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect(keys).toEqual(byteOrder);
    expect(keys).toHaveLength(names.length);
    const after = await s3.client.send(
      new ListObjectsV2Command({ Bucket: 'rgw-rt', Prefix: 'o/', StartAfter: 'o/b' }),
    );
    expect(after.Contents?.map((c) => c.Key)).toEqual(keys.slice(keys.indexOf('o/b') + 1));
  });

  it('keeps dot segments literal and honours If-None-Match on PUT', async () => {
    await s3.client.send(new PutObjectCommand({ Bucket: 'rgw-rt', Key: 'd/./x/../y', Body: '1' }));
    const head = await s3.client.send(
      new HeadObjectCommand({ Bucket: 'rgw-rt', Key: 'd/./x/../y' }),
    );
    expect(head.ContentLength).toBe(1);
    await expect(
      s3.client.send(new HeadObjectCommand({ Bucket: 'rgw-rt', Key: 'd/y' })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
    const again = s3.client.send(
      new PutObjectCommand({ Bucket: 'rgw-rt', Key: 'd/./x/../y', Body: '22', IfNoneMatch: '*' }),
    );
    await expect(again).rejects.toMatchObject({ $metadata: { httpStatusCode: 412 } });
    const kept = await s3.client.send(
      new HeadObjectCommand({ Bucket: 'rgw-rt', Key: 'd/./x/../y' }),
    );
    expect(kept.ContentLength).toBe(1);
    await s3.client.send(
      new CopyObjectCommand({
        Bucket: 'rgw-rt',
        Key: 'd/copy of ä+1',
        CopySource: `rgw-rt/${encodeURIComponent('d/./x/../y')}`,
      }),
    );
    const copied = await s3.client.send(
      new HeadObjectCommand({ Bucket: 'rgw-rt', Key: 'd/copy of ä+1' }),
    );
    expect(copied.ContentLength).toBe(1);
  });

  it('accepts an added key for the same buckets until it is revoked', async () => {
    const revoke = await s3.addKey('KPADDEDKEY00000001', 'added-secret');
    const client = s3ClientFor(s3.endpoint, {
      accessKeyId: 'KPADDEDKEY00000001',
      secretAccessKey: 'added-secret',
    });
    try {
      await client.send(new PutObjectCommand({ Bucket: 'rgw-rt', Key: 'by-added-key', Body: 'x' }));
      const head = await s3.client.send(
        new HeadObjectCommand({ Bucket: 'rgw-rt', Key: 'by-added-key' }),
      );
      expect(head.ContentLength).toBe(1);
      await revoke();
      await expect(client.send(new ListBucketsCommand({}))).rejects.toMatchObject({
        $metadata: { httpStatusCode: 403 },
      });
    } finally {
      client.destroy();
    }
  });
});

describe('RGW lifecycle', () => {
  it('close() stops exactly its daemons and removes its directory', async () => {
    const s3 = await startRgwServer();
    const dir = s3.directory;
    expect(dir.startsWith(join(tmpdir(), 'kpress-rgw-'))).toBe(true);
    expect(daemonsIn(dir)).toHaveLength(3); // mon, osd, rgw
    await s3.close();
    expect(daemonsIn(dir)).toEqual([]);
    expect(existsSync(dir)).toBe(false);
  });

  it('leaves no daemon behind when the process that started it is SIGKILLed', async () => {
    const script = [
      `const { startRgwServer } = await import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)});`,
      'const s3 = await startRgwServer();',
      'console.log("up " + s3.directory);',
      'setInterval(() => {}, 1000);',
    ].join('\n');
    const child = spawnProcess(
      process.execPath,
      ['--no-warnings', '--input-type=module', '-e', script],
      { exitWithParent: false },
    );
    let dir = '';
    try {
      dir = (await child.waitForLine(/^up \//, 60_000)).slice(3);
      expect(daemonsIn(dir)).toHaveLength(3);
    } finally {
      // whatever failed above, the child (and so, through the watchdogs, its cluster) goes
      child.kill('SIGKILL');
      await child.waitForExit();
    }
    const deadline = Date.now() + 10_000;
    while (daemonsIn(dir).length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(daemonsIn(dir)).toEqual([]);
    // a SIGKILLed process cannot remove its cluster's directory: the test does
    rmSync(dir, { recursive: true, force: true });
  }, 90_000);
});
