/**
 * Credentials never leak: distinctive AWS keys (a user of their own on the S3 server)
 * and a distinctive Redis password (private redis-server with requirepass) are
 * looked for in every output, every job in Redis and every object written.
 * Also: Redis AUTH from REDIS_URL, a redacted URL when Redis is unreachable,
 * and Redis over TLS (rediss://) with NODE_EXTRA_CA_CERTS.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type RedisServer,
  startRedisServer,
  uniqueQueueName,
  uploadFixtures,
  testS3Kinds,
} from '@kpress/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBytes, listKeys } from './batch-check.js';
import { kpress, startWorkers, stopWorkers } from './kpress-cli.js';
import { sampleVariants } from './sample-variants.js';
import { useFaultSuite } from './test/fault-suite.js';

const ACCESS_KEY = 'AKIAKPRESSLEAKMARKER1';
const SECRET_KEY = 'kpressSecretLeakMarker/xyzzy+42';
const REDIS_PASSWORD = 'kpressRedisPwLeakMarker77';
const MARKERS = [ACCESS_KEY, SECRET_KEY, REDIS_PASSWORD, encodeURIComponent(SECRET_KEY)];

describe.each(testS3Kinds())('security on %s', (kind) => {
  const suite = useFaultSuite({
    kind,
    queuePrefix: 'kpress-faults-sec',
    privateRedis: { password: REDIS_PASSWORD },
  });
  let revoke: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    revoke = await suite.s3.addKey(ACCESS_KEY, SECRET_KEY);
  });

  afterAll(async () => {
    await revoke?.();
  });

  function leaks(text: string): string[] {
    return MARKERS.filter((m) => text.includes(m));
  }

  /** Every value of every key in Redis, as text (job hashes, lists, sets, strings). */
  async function dumpRedis(url: string): Promise<string> {
    const client = new Redis(url);
    try {
      const out: string[] = [];
      for (const key of await client.keys('*')) {
        const type = await client.type(key);
        if (type === 'hash') out.push(JSON.stringify(await client.hgetall(key)));
        else if (type === 'string') out.push((await client.get(key)) ?? '');
        else if (type === 'list') out.push((await client.lrange(key, 0, -1)).join('\n'));
        else if (type === 'set') out.push((await client.smembers(key)).join('\n'));
        else if (type === 'zset') out.push((await client.zrange(key, '0', '-1')).join('\n'));
        else if (type === 'stream') out.push(JSON.stringify(await client.xrange(key, '-', '+')));
        out.push(key);
      }
      return out.join('\n');
    } finally {
      client.disconnect();
    }
  }

  it('a batch with distinctive credentials and Redis AUTH: no marker in logs, Redis or outputs', async () => {
    const files = { ...(await sampleVariants(4)), 'bad.jpg': 'not an image' };
    await uploadFixtures(suite.s3.client, 'src', 'in/', files);
    const env = suite.env({
      AWS_ACCESS_KEY_ID: ACCESS_KEY,
      AWS_SECRET_ACCESS_KEY: SECRET_KEY,
      LOG_LEVEL: 'debug',
    });
    const workers = await startWorkers(1, env);
    const run = kpress(
      ['enqueue', 's3://src/in/', '--dest', 's3://dst/out/', '--batch', 'sec', '--wait', '--json'],
      env,
    );
    expect((await run.waitForExit()).code, run.stderr.slice(-5).join('\n')).toBe(0);
    // bad.jpg is not an image: copied byte for byte (issue 26; it was a failed row)
    expect(JSON.parse(run.stdout.at(-1) ?? '{}').counts).toMatchObject({
      total: 5,
      copied: 1,
      failed: 0,
    });
    const redisText = await dumpRedis(suite.redis.url); // before the workers' jobs are cleaned up
    for (const e of await stopWorkers(workers)) expect(e).toEqual({ code: 0, signal: null });

    expect(redisText.length).toBeGreaterThan(0);
    expect(leaks(redisText), 'Redis').toEqual([]);
    expect(leaks([...run.stdout, ...run.stderr].join('\n')), 'producer output').toEqual([]);
    for (const w of workers) expect(leaks([...w.stdout, ...w.stderr].join('\n'))).toEqual([]);
    const written = await listKeys(suite.s3.client, 'dst', 'out/');
    expect(written.some((k) => k.endsWith('report.html'))).toBe(true);
    for (const key of written) {
      expect(leaks((await getBytes(suite.s3.client, 'dst', key)).toString('latin1')), key).toEqual(
        [],
      );
    }
  });

  it('an unreachable Redis URL with a password is printed redacted', async () => {
    const run = kpress(['enqueue', 's3://src/in/', '--dest', 's3://dst/x/'], {
      ...suite.s3.env,
      REDIS_URL: `redis://kpuser:${REDIS_PASSWORD}@127.0.0.1:1/`,
    });
    const exit = await run.waitForExit();
    expect(exit.code).toBe(1);
    const text = [...run.stdout, ...run.stderr].join('\n');
    expect(text).toMatch(/redis:\/\/kpuser:\*\*\*@127\.0\.0\.1:1/);
    expect(leaks(text)).toEqual([]);
  });

  it('a wrong Redis password fails with a clear line and no password', async () => {
    const run = kpress(['enqueue', 's3://src/in/', '--dest', 's3://dst/x/'], {
      ...suite.s3.env,
      REDIS_URL: `redis://:wrong-${REDIS_PASSWORD}@127.0.0.1:${suite.redis.port}/`,
    });
    expect((await run.waitForExit()).code).toBe(1);
    const text = [...run.stdout, ...run.stderr].join('\n');
    expect(text).toMatch(/cannot reach Redis|WRONGPASS|NOAUTH/);
    expect(leaks(text)).toEqual([]);
  });

  it('Redis over TLS (rediss://, self-signed CA through NODE_EXTRA_CA_CERTS): a small batch runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kpress-tls-'));
    const tlsRedis: { server?: RedisServer } = {};
    try {
      const f = (n: string) => join(dir, n);
      const ssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
      ssl([
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        f('ca.key'),
        '-out',
        f('ca.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=kpress test CA',
      ]);
      ssl([
        'req',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        f('server.key'),
        '-out',
        f('server.csr'),
        '-subj',
        '/CN=127.0.0.1',
      ]);
      writeFileSync(f('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
      ssl([
        'x509',
        '-req',
        '-in',
        f('server.csr'),
        '-CA',
        f('ca.pem'),
        '-CAkey',
        f('ca.key'),
        '-CAcreateserial',
        '-out',
        f('server.pem'),
        '-days',
        '1',
        '-extfile',
        f('ext.cnf'),
      ]);
      tlsRedis.server = await startRedisServer({
        tls: { cert: f('server.pem'), key: f('server.key'), ca: f('ca.pem') },
      });
      await uploadFixtures(suite.s3.client, 'src', 'tls/', await sampleVariants(3));
      const env = {
        ...suite.s3.env,
        REDIS_URL: tlsRedis.server.url,
        NODE_EXTRA_CA_CERTS: f('ca.pem'),
        KPRESS_QUEUE: uniqueQueueName('kpress-faults-tls'),
      };
      expect(env.REDIS_URL.startsWith('rediss://')).toBe(true);
      const workers = await startWorkers(1, env);
      const run = kpress(
        [
          'enqueue',
          's3://src/tls/',
          '--dest',
          's3://dst/tls/',
          '--batch',
          'tls',
          '--wait',
          '--json',
        ],
        env,
      );
      expect((await run.waitForExit()).code, run.stderr.slice(-5).join('\n')).toBe(0);
      expect(JSON.parse(run.stdout.at(-1) ?? '{}').counts.total).toBe(3);
      for (const e of await stopWorkers(workers)) expect(e).toEqual({ code: 0, signal: null });

      // without the CA, the certificate is refused: TLS is really verified
      const refused = kpress(['enqueue', 's3://src/tls/', '--dest', 's3://dst/tls2/'], {
        ...env,
        NODE_EXTRA_CA_CERTS: '',
      });
      expect((await refused.waitForExit()).code).toBe(1);
      expect(refused.stderr.join('\n')).toMatch(/cannot reach Redis at rediss:\/\//);
    } finally {
      await tlsRedis.server?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
