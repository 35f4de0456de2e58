/**
 * Hostile and awkward inputs in one end-to-end batch: each is compressed, kept
 * as original, copied byte for byte (issue 26) or failed with a reason a person understands; never a crashed
 * worker, a silent gap, or an output outside the destination prefix.
 */
import { keptKeyFor, outputKeyFor, recordKeyFor } from '@kpress/storage';
import { uploadFixtures, testS3Kinds } from '@kpress/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { dotSegmentInputs, type HostileInput, hostileInputs } from './hostile-inputs.js';
import { kpress, startWorkers, stopWorkers } from './kpress-cli.js';
import { checkSuiteBatch, useFaultSuite } from './test/fault-suite.js';

describe.each(testS3Kinds())('hostile-inputs on %s', (kind) => {
  const suite = useFaultSuite({ kind, queuePrefix: 'kpress-faults-hostile' });
  let inputs: HostileInput[];

  beforeAll(async () => {
    inputs = await hostileInputs();
    // RGW, as S3, stores dot segments literally: only there can such sources exist
    if (kind === 'rgw')
      inputs.push(...dotSegmentInputs(inputs.find((i) => i.name === 'a+b.jpg')?.body as Buffer));
  });

  describe('hostile inputs', () => {
    it('one batch: every input has its documented outcome, no crash, no gap', async () => {
      await uploadFixtures(
        suite.s3.client,
        'src',
        'in/',
        Object.fromEntries(inputs.map((i) => [i.name, i.body])),
      );
      const env = suite.env({ KPRESS_MAX_BYTES: '300000' });
      const workers = await startWorkers(2, env);
      const batch = 'hostile';
      const run = kpress(
        [
          'enqueue',
          's3://src/in/',
          '--dest',
          's3://dst/out/',
          '--batch',
          batch,
          '--wait',
          '--json',
        ],
        env,
      );
      const exit = await run.waitForExit();
      expect(exit.code, run.stderr.slice(-10).join('\n')).toBe(0);
      for (const w of workers) expect(w.child.exitCode, 'worker alive').toBeNull();
      for (const e of await stopWorkers(workers)) expect(e).toEqual({ code: 0, signal: null });

      const check = await checkSuiteBatch(suite, batch);
      expect(check).toMatchObject({ objects: inputs.length, rows: inputs.length, lost: 0 });
      expect(check.duplicates).toBe(0);
      expect(check.badOutputs).toEqual([]);
      expect(check.outsideDest).toEqual([]);
      const table: string[] = [];
      for (const input of inputs) {
        const row = check.byKey.get(`in/${input.name}`);
        table.push(`| ${input.what} | ${row?.status} | ${row?.error ?? ''} |`);
        expect(row?.status, `${input.name}: ${row?.error}`).toBe(input.expected.status);
        if (input.expected.reason) expect(row?.error, input.name).toMatch(input.expected.reason);
        if (input.expected.size) expect([row?.width, row?.height]).toEqual(input.expected.size);
      }
      console.log(table.join('\n'));
    });
  });

  describe('keys with "." and ".." segments map inside the destination', () => {
    it.each(['a/../../../etc/passwd.jpg', '../x.png', './x.jpg', 'a/./b/../c.jpg'])(
      '%s maps inside the destination prefix',
      (rel) => {
        const key = `in/${rel}`;
        for (const out of [outputKeyFor(key, 'in/', 'out/'), keptKeyFor(key, 'in/', 'out/')]) {
          expect(out.startsWith('out/')).toBe(true);
          expect(out.slice('out/'.length).startsWith(rel)).toBe(true);
          expect(out.startsWith('out/_kpress/')).toBe(false);
        }
        expect(recordKeyFor('out/', 'b1', rel)).toBe(`out/_kpress/b1/records/${rel}`);
      },
    );
  });
});
