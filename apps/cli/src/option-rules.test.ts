/**
 * One rule per option, everywhere: `kpress compress`, `kpress enqueue`, job
 * data, batch.json and the codec accept and refuse the same values of
 * `--colors`, `--seed` and `--quality`, with the same message (naming the
 * option as each caller spells it: `--colors` on the command line, `colors` in
 * data). Real child processes for the two commands.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ruleParser } from '@kpress/cli-kit';
import { compressImage } from '@kpress/codec';
import { COLORS, type OptionRule, QUALITY, SEED } from '@kpress/core';
import { parseCompressJob } from '@kpress/queue';
import { parseBatchFile } from '@kpress/storage';
import { samplePath, spawnProcess } from '@kpress/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from './test/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'kpress-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Per option: values typed on a command line, and whether the rule accepts them. */
const CASES: { rule: OptionRule; accept: string[]; refuse: string[] }[] = [
  { rule: COLORS, accept: ['2', '16', '256'], refuse: ['1', '257', '16.5', '-4', 'abc'] },
  {
    rule: SEED,
    accept: ['0', '3000000000', '4294967295'],
    refuse: ['-1', '4294967296', '1.5', 'x7'],
  },
  { rule: QUALITY, accept: ['38.5', '100', '0.5'], refuse: ['0', '150', '-3', 'abc'] },
];

/** What the data layers receive for a typed value: its number, or the text itself. */
const asData = (text: string): number | string =>
  Number.isNaN(Number(text)) ? text : Number(text);

/** The one message, for the option named `as`. */
const message = (rule: OptionRule, as: string, text: string) =>
  `${as} must be ${rule.expected}, got ${typeof asData(text) === 'string' ? JSON.stringify(text) : asData(text)}`;

const goodJob = {
  batchId: 'b1',
  source: 's3://src/in/',
  dest: 's3://dst/out/',
  key: 'in/a.png',
  size: 10,
  colors: 16,
  seed: 1,
};
const goodBatch = {
  version: 1,
  batchId: 'b1',
  source: 's3://src/in/',
  dest: 's3://dst/out/',
  options: { colors: 16, seed: 1 },
  createdAt: '2026-12-01T00:00:00.000Z',
};

/** Runs a kpress command line; resolves with its exit code and stderr. */
async function run(args: string[]) {
  const p = spawnProcess(process.execPath, [BIN, ...args], {
    // nothing is contacted: enqueue's option checks come before its overlap check,
    // which refuses the overlapping destination below before any connection
    env: {
      REDIS_URL: 'redis://127.0.0.1:1',
      S3_ENDPOINT: 'http://127.0.0.1:1',
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'y',
    },
  });
  const exit = await p.waitForExit();
  return { code: exit.code, stderr: p.stderr.join('\n') };
}

const input = samplePath('chelsea.png');
let image: Buffer;
beforeAll(() => {
  image = readFileSync(input);
});

describe.each(CASES)('the $rule.name rule', ({ rule, accept, refuse }) => {
  const flag = `--${rule.name}`;
  const parseFlag = ruleParser(rule, flag);

  it.each(accept)('accepts %s as a flag, in job data, batch.json and the codec', async (text) => {
    const value = asData(text);
    expect(parseFlag(text)).toBe(value);
    expect(parseCompressJob({ ...goodJob, [rule.name]: value })[rule.name as 'colors']).toBe(value);
    const options = { ...goodBatch.options, [rule.name]: value };
    expect(parseBatchFile({ ...goodBatch, options }, 'batch.json').options).toEqual(options);
    await expect(compressImage(image, { [rule.name]: value })).resolves.toBeDefined();
  });

  it.each(refuse)('refuses %s everywhere with the same message', async (text) => {
    const value = asData(text);
    expect(() => parseFlag(text)).toThrow(`${message(rule, flag, text)}.`);
    const data = message(rule, rule.name, text);
    expect(() => parseCompressJob({ ...goodJob, [rule.name]: value })).toThrow(data);
    const options = { ...goodBatch.options, [rule.name]: value };
    expect(() => parseBatchFile({ ...goodBatch, options }, 'batch.json')).toThrow(data);
    await expect(compressImage(image, { [rule.name]: value as number })).rejects.toThrow(data);
  });

  // The commands themselves, as child processes: their flags use that parser.
  it(`kpress compress and enqueue accept ${flag} ${accept[1]} and refuse ${flag} ${refuse[1]}`, async () => {
    const [ok, bad] = [accept[1] as string, refuse[1] as string];
    const enqueueArgs = ['enqueue', 's3://src-bkt/in/', '--dest', 's3://src-bkt/in/out/'];
    const [compressOk, enqueueOk, compressBad, enqueueBad] = await Promise.all([
      run(['compress', input, join(dir, `${rule.name}.png`), flag, ok]),
      run([...enqueueArgs, flag, ok]),
      run(['compress', input, join(dir, 'refused.png'), flag, bad]),
      run([...enqueueArgs, flag, bad]),
    ]);
    expect(compressOk, compressOk.stderr).toMatchObject({ code: 0 });
    // past every option check (CLI and producer): refused for the overlap (exit 1), not usage (2)
    expect(enqueueOk.code, enqueueOk.stderr).toBe(1);
    expect(enqueueOk.stderr).toContain('overlaps the source');
    expect(enqueueOk.stderr).not.toContain('must be');
    for (const r of [compressBad, enqueueBad]) {
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(message(rule, flag, bad));
    }
  });
});
