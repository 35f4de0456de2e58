/**
 * `kpress verify --deep --tag-sources` (issue 26, part 3) end to end through
 * the real CLI and real workers on each S3 server (Ceph RGW and s3rver both
 * implement GetObjectTagging / PutObjectTagging): exactly the sources whose
 * rows verified clean are tagged `kpress-archived=<batch>`, their other tags
 * are kept, a damaged output, a changed source, a failed row and a source
 * with S3's 10 tags are left untagged, a rerun writes nothing, and a second
 * batch over the same sources never moves the first batch's tag.
 */
import { readFileSync } from 'node:fs';
import {
  GetObjectTaggingCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
} from '@aws-sdk/client-s3';
import { type ManifestRow, parseRow } from '@kpress/manifest';
import { makeApng, samplePath, testS3Kinds, uploadFixtures } from '@kpress/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { getBytes } from './batch-check.js';
import { type ProxyReply, startFaultProxy } from './fault-proxy.js';
import { kpress, startWorkers, stopWorkers } from './kpress-cli.js';
import { useFaultSuite } from './test/fault-suite.js';

const TAG = 'kpress-archived';

describe.each(testS3Kinds())('verify --tag-sources on %s', (kind) => {
  const suite = useFaultSuite({ kind, queuePrefix: 'kpress-faults-tags' });
  let workers: Awaited<ReturnType<typeof startWorkers>> = [];
  afterAll(async () => {
    await stopWorkers(workers);
  });

  const tagsOf = async (key: string): Promise<Record<string, string>> => {
    const out = await suite.s3.client.send(
      new GetObjectTaggingCommand({ Bucket: 'src', Key: key }),
    );
    return Object.fromEntries((out.TagSet ?? []).map((t) => [t.Key, t.Value]));
  };
  const setTags = (key: string, tags: Record<string, string>) =>
    suite.s3.client.send(
      new PutObjectTaggingCommand({
        Bucket: 'src',
        Key: key,
        Tagging: { TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
      }),
    );
  const put = (bucket: string, key: string, body: Buffer | string) =>
    suite.s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  const ensureWorkers = async () => {
    if (workers.length === 0) workers = await startWorkers(1, suite.env(), 2);
  };
  const run = async (args: string[], env: Record<string, string> = {}) => {
    const p = kpress(args, suite.env(env));
    const exit = await p.waitForExit();
    return { code: exit.code, stdout: p.stdout, stderr: p.stderr };
  };
  const enqueue = async (dest: string, batch: string, source = 's3://src/in/') => {
    await ensureWorkers();
    const r = await run(['enqueue', source, '--dest', dest, '--batch', batch, '--wait']);
    expect(r.code, r.stderr.slice(-5).join('\n')).toBe(0);
    const rows = (
      await getBytes(
        suite.s3.client,
        'dst',
        `${dest.slice('s3://dst/'.length)}_kpress/${batch}/manifest.jsonl`,
      )
    )
      .toString()
      .trim()
      .split('\n')
      .map(parseRow);
    return new Map(rows.map((r) => [r.key, r]));
  };
  const archived = (row: ManifestRow | undefined) =>
    row !== undefined && row.status !== 'failed' && row.status !== ('skipped' as string);
  const tenTags = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`t${i}`, `v${i}`]));

  it('refuses --tag-sources without --deep, as a usage error naming the flag', async () => {
    const r = await run(['verify', 's3://dst/out/', '--batch', 'tg', '--tag-sources']);
    expect(r.code).toBe(2);
    expect(r.stderr).toEqual([
      'kpress: --tag-sources needs --deep: a source is tagged only after its sha256 is re-read (see kpress verify --help)',
    ]);
  });

  it('tags exactly the clean sources, keeps other tags, and a rerun writes nothing', async () => {
    await uploadFixtures(suite.s3.client, 'src', 'in/', {
      'cat.png': readFileSync(samplePath('chelsea.png')),
      // beside cat.png, an image "cat" would be compressed to cat.png, another source's name:
      // a failed row (a "cat" that is not an image would be copied under its own name)
      cat: readFileSync(samplePath('coffee.jpg')),
      'deep/coffee.jpg': readFileSync(samplePath('coffee.jpg')),
      'spin.png': makeApng(),
      'broken.jpg': readFileSync(samplePath('broken-truncated.jpg')),
      'ten.png': readFileSync(samplePath('coffee.png')),
      'moved.png': readFileSync(samplePath('chelsea.png')),
    });
    const rows = await enqueue('s3://dst/out/', 'tg');
    expect(rows.size).toBe(7);
    expect(rows.get('in/cat')?.status).toBe('failed');
    expect(rows.get('in/spin.png')?.status).toBe('kept-original');
    expect(rows.get('in/deep/coffee.jpg')?.status).toBe('compressed');

    // behind kpress's back, before the verify: tags of other owners, one source
    // with S3's 10 tags, one output damaged, one source replaced
    await setTags('in/cat.png', { owner: 'lab 3', project: 'cats' });
    await setTags('in/ten.png', tenTags);
    const coffee = await getBytes(suite.s3.client, 'dst', 'out/deep/coffee.jpg.png');
    coffee[coffee.length - 20] ^= 0xff;
    await put('dst', 'out/deep/coffee.jpg.png', coffee);
    await put('src', 'in/moved.png', readFileSync(samplePath('coffee.png')));

    const first = await run([
      'verify',
      's3://dst/out/',
      '--batch',
      'tg',
      '--deep',
      '--tag-sources',
    ]);
    expect(first.code, first.stderr.join('\n')).toBe(1);
    const named = first.stdout.map((l) => l.split(': ').slice(0, 2).join(': ')).sort();
    expect(named).toEqual(
      [
        'out/deep/coffee.jpg.png: checksum',
        'in/moved.png: source-changed',
        'in/ten.png: not-tagged',
      ].sort(),
    );
    expect(first.stdout.find((l) => l.startsWith('in/ten.png'))).toContain(
      "the source has 10 tags, S3's limit: kpress-archived=tg not added",
    );

    const untagged = new Set(['in/deep/coffee.jpg', 'in/moved.png', 'in/ten.png']);
    const clean = [...rows.values()].filter((r) => archived(r) && !untagged.has(r.key));
    expect(clean.map((r) => r.key)).toEqual(expect.arrayContaining(['in/cat.png', 'in/spin.png']));
    for (const row of rows.values()) {
      const tags = await tagsOf(row.key);
      if (clean.includes(row)) expect(tags[TAG], row.key).toBe('tg');
      else expect(tags[TAG], row.key).toBeUndefined();
    }
    expect(await tagsOf('in/cat.png')).toEqual({ owner: 'lab 3', project: 'cats', [TAG]: 'tg' });
    expect(await tagsOf('in/ten.png')).toEqual(tenTags);
    const failedRows = [...rows.values()].filter((r) => !archived(r)).length;
    expect(failedRows).toBeGreaterThan(0);
    const tagLine =
      first.stderr.find((l) => l.startsWith('kpress: tag-sources: ')) ?? first.stderr.join('\n');
    expect(tagLine).toContain(
      `tag-sources: ${clean.length} tagged, 0 already tagged, ${failedRows + 3} not tagged (`,
    );
    for (const part of [
      `${failedRows} failed row`,
      // the damaged output and the replaced source: problems already named above
      '2 problems found',
      '1 at the 10-tag limit',
    ]) {
      expect(tagLine).toContain(part);
    }

    // a rerun: the same verdicts, nothing written twice
    const again = await run([
      'verify',
      's3://dst/out/',
      '--batch',
      'tg',
      '--deep',
      '--tag-sources',
      '--json',
    ]);
    expect(again.code).toBe(1);
    const result = JSON.parse(again.stdout[0] as string);
    expect(result.tags).toEqual({
      tagged: 0,
      alreadyTagged: clean.length,
      taggedByOtherBatch: 0,
      notTagged: {
        'failed row': failedRows,
        'problems found': 2,
        'at the 10-tag limit': 1,
      },
    });
    expect(result.problems).toEqual({ checksum: 1, 'source-changed': 1, 'not-tagged': 1 });
    expect(await tagsOf('in/cat.png')).toEqual({ owner: 'lab 3', project: 'cats', [TAG]: 'tg' });

    // a second batch over the same sources: clean; it tags what the first could not
    // (room made on ten.png: nine tags of others, ours the tenth) and keeps the first's tag
    await setTags('in/ten.png', Object.fromEntries(Object.entries(tenTags).slice(0, 9)));
    const rows2 = await enqueue('s3://dst/out2/', 'tg2');
    const second = await run([
      'verify',
      's3://dst/out2/',
      '--batch',
      'tg2',
      '--deep',
      '--tag-sources',
      '--json',
    ]);
    expect(second.code, second.stderr.join('\n')).toBe(0);
    const archived2 = [...rows2.values()].filter(archived).length;
    expect(JSON.parse(second.stdout[0] as string).tags).toEqual({
      tagged: 3,
      alreadyTagged: 0,
      taggedByOtherBatch: archived2 - 3,
      notTagged: [...rows2.values()].some((r) => !archived(r))
        ? { 'failed row': rows2.size - archived2 }
        : {},
    });
    for (const key of untagged) expect((await tagsOf(key))[TAG], key).toBe('tg2');
    expect(Object.keys(await tagsOf('in/ten.png'))).toHaveLength(10);
    for (const row of clean) expect((await tagsOf(row.key))[TAG], row.key).toBe('tg');
  });

  it('through a proxy: a rerun sends no PutObjectTagging, a source changed between its check and its tag is named, and a server without tagging or a role without the permission stops with a clear error', async () => {
    await uploadFixtures(suite.s3.client, 'src', 'p/', {
      'a.png': readFileSync(samplePath('chelsea.png')),
      'b.jpg': readFileSync(samplePath('coffee.jpg')),
    });
    await enqueue('s3://dst/pout/', 'px', 's3://src/p/');
    const seen: string[] = [];
    let answer: (method: string, url: string) => Promise<ProxyReply | undefined> | undefined;
    const proxy = await startFaultProxy({
      target: suite.s3.endpoint,
      onRequest: ({ method, url }) => {
        seen.push(`${method} ${url}`);
        return answer?.(method, url);
      },
    });
    const isTagging = (url: string) => /[?&]tagging(=|&|$)/.test(url);
    const putTaggings = () => seen.filter((r) => r.startsWith('PUT ') && isTagging(r)).length;
    const verify = () =>
      run(['verify', 's3://dst/pout/', '--batch', 'px', '--deep', '--tag-sources'], {
        S3_ENDPOINT: proxy.endpoint,
      });
    try {
      // a.png is replaced between its deep check (a GET) and the HEAD right before its tag
      let raced = false;
      answer = async (method, url) => {
        if (method === 'HEAD' && url.startsWith('/src/p/a.png') && !raced) {
          raced = true;
          await put('src', 'p/a.png', readFileSync(samplePath('coffee.png')));
        }
        return undefined;
      };
      const race = await verify();
      expect(raced).toBe(true);
      expect(race.code, race.stderr.join('\n')).toBe(1);
      expect(race.stdout).toHaveLength(1);
      expect(race.stdout[0]).toMatch(
        /^p\/a\.png: source-changed: its ETag became \S+ after its sha256 was checked \(ETag \S+\): not tagged$/,
      );
      expect(race.stderr).toContain(
        'kpress: tag-sources: 1 tagged, 0 already tagged, 1 not tagged (1 source changed)',
      );
      expect(await tagsOf('p/a.png')).toEqual({});
      expect(await tagsOf('p/b.jpg')).toEqual({ [TAG]: 'px' });
      expect(putTaggings()).toBe(1);

      // the rerun reads tags and writes none
      answer = () => undefined;
      seen.length = 0;
      const rerun = await verify();
      expect(rerun.code).toBe(1); // a.png's bytes are still not the batch's
      expect(rerun.stderr).toContain(
        'kpress: tag-sources: 0 tagged, 1 already tagged, 1 not tagged (1 problems found)',
      );
      expect(seen.filter((r) => r.startsWith('GET ') && isTagging(r))).toHaveLength(1);
      expect(putTaggings()).toBe(0);

      // a server without object tagging
      answer = (_, url) =>
        isTagging(url)
          ? Promise.resolve({ status: 501, code: 'NotImplemented', message: 'no tagging here' })
          : undefined;
      const bare = await verify();
      expect(bare.code).toBe(1);
      expect(bare.stderr.at(-1)).toMatch(
        /^kpress: --tag-sources: the S3 server of bucket "src" does not implement object tagging \(get-tagging s3:\/\/src\/p\/b\.jpg failed: NotImplemented/,
      );

      // a role without s3:PutObjectTagging (a.png's own bytes back: it is clean again)
      await put('src', 'p/a.png', readFileSync(samplePath('chelsea.png')));
      answer = (method, url) =>
        method === 'PUT' && isTagging(url)
          ? Promise.resolve({ status: 403, code: 'AccessDenied', message: 'Access Denied' })
          : undefined;
      const denied = await verify();
      expect(denied.code).toBe(1);
      expect(denied.stderr.at(-1)).toMatch(
        /^kpress: --tag-sources: put-tagging s3:\/\/src\/p\/a\.png failed: AccessDenied.*; tagging needs s3:GetObjectTagging and s3:PutObjectTagging on the source bucket "src" \(infra\/iam\/archivist-policy\.json\)$/,
      );
      expect(await tagsOf('p/a.png')).toEqual({});

      answer = () => undefined;
      const clean = await verify();
      expect(clean.code, clean.stderr.join('\n')).toBe(0);
      expect(clean.stderr).toContain('kpress: tag-sources: 1 tagged, 1 already tagged');
      expect(await tagsOf('p/a.png')).toEqual({ [TAG]: 'px' });
    } finally {
      await proxy.close();
    }
  });
});
