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
  const run = async (args: string[]) => {
    const p = kpress(args, suite.env());
    const exit = await p.waitForExit();
    return { code: exit.code, stdout: p.stdout, stderr: p.stderr };
  };
  const enqueue = async (dest: string, batch: string) => {
    const r = await run(['enqueue', 's3://src/in/', '--dest', dest, '--batch', batch, '--wait']);
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
      // beside cat.png, a non-PNG "cat" would clash with its output: a failed row
      cat: 'not an image, and its name clashes',
      'deep/coffee.jpg': readFileSync(samplePath('coffee.jpg')),
      'spin.png': makeApng(),
      'broken.jpg': readFileSync(samplePath('broken-truncated.jpg')),
      'ten.png': readFileSync(samplePath('coffee.png')),
      'moved.png': readFileSync(samplePath('chelsea.png')),
    });
    workers = await startWorkers(1, suite.env(), 2);
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
});
