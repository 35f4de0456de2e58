/**
 * DESIGN invariant 10 checked after the fact, on each S3 server: in a batch
 * with a perceptual target (the default, 80), `kpress verify --deep` names an
 * output that no longer reaches the target, even when its row, metadata and
 * checksum were made to agree with it (the output and its row replaced
 * behind kpress's back would be another check's finding; here only the
 * score is wrong for the batch).
 */

import { readFileSync } from 'node:fs';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { compressImage } from '@kpress/codec';
import { samplePath, testS3Kinds, uploadFixtures } from '@kpress/testkit';
import { describe, expect, it } from 'vitest';
import { kpress, startWorkers, stopWorkers } from './kpress-cli.js';
import { useFaultSuite } from './test/fault-suite.js';

describe.each(testS3Kinds())('verify --deep of a target batch on %s', (kind) => {
  const suite = useFaultSuite({ kind, queuePrefix: 'kpress-faults-vtarget' });

  it("names an output scoring below the batch's target; a fresh target batch verifies clean", async () => {
    await uploadFixtures(suite.s3.client, 'src', 'in/', {
      'cat.png': readFileSync(samplePath('chelsea.png')),
    });
    const workers = await startWorkers(1, suite.env(), 1);
    const run = kpress(
      [
        'enqueue',
        's3://src/in/',
        '--dest',
        's3://dst/out/',
        '--batch',
        'tgt',
        '--target',
        '80',
        '--wait',
      ],
      suite.env(),
    );
    expect((await run.waitForExit()).code, run.stderr.slice(-5).join('\n')).toBe(0);
    await stopWorkers(workers);
    const verify = async () => {
      const p = kpress(['verify', 's3://dst/out/', '--batch', 'tgt', '--deep'], suite.env());
      const exit = await p.waitForExit();
      return { code: exit.code, stdout: p.stdout, stderr: p.stderr };
    };
    const fresh = await verify();
    expect(fresh.code, fresh.stdout.join('\n') + fresh.stderr.join('\n')).toBe(0);

    // the output swapped for a 4-colour one of the same photo, its metadata kept
    const head = await suite.s3.client.send(
      new HeadObjectCommand({ Bucket: 'dst', Key: 'out/cat.png' }),
    );
    const swapped = (await compressImage(readFileSync(samplePath('chelsea.png')), { colors: 4 }))
      .png;
    await suite.s3.client.send(
      new PutObjectCommand({
        Bucket: 'dst',
        Key: 'out/cat.png',
        Body: swapped,
        Metadata: head.Metadata,
      }),
    );
    const found = await verify();
    expect(found.code).toBe(1);
    const below = found.stdout.filter((l) => l.includes("below the batch's target"));
    expect(below).toHaveLength(1);
    expect(below[0]).toMatch(
      /^out\/cat\.png: ssimulacra2: SSIMULACRA 2\.1 -?\d+\.\d\d is below the batch's target 80 \(the manifest says 8\d\.\d\d, recomputed -?\d+\.\d\d\): an output below its target is never stored$/,
    );
  }, 180_000);
});
