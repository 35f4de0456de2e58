import { describe, expect, it } from 'vitest';
import {
  batchFileKeys,
  batchPrefix,
  clashMessage,
  clashPartnerKey,
  isSourceKey,
  keptKeyFor,
  outputKeyFor,
  recordKeyFor,
  recordsPrefix,
  relFromRecordKey,
} from './layout.js';

/** S3's listing order: UTF-8 bytes. */
const byUtf8 = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

describe('outputKeyFor / keptKeyFor', () => {
  it('appends .png to non-PNG names and keeps PNG names (any case)', () => {
    expect(outputKeyFor('in/cat.jpg', 'in/', 'out/')).toBe('out/cat.jpg.png');
    expect(outputKeyFor('in/cat.png', 'in/', 'out/')).toBe('out/cat.png');
    expect(outputKeyFor('in/CAT.PNG', 'in/', 'out/')).toBe('out/CAT.PNG');
    expect(outputKeyFor('in/x/y/cat', 'in/', 'out/')).toBe('out/x/y/cat.png');
    expect(outputKeyFor('cat.jpg', '', '')).toBe('cat.jpg.png');
    expect(keptKeyFor('in/x/cat.jpg', 'in/', 'o/')).toBe('o/x/cat.jpg');
  });

  it('keeps ".." segments literal, under the destination', () => {
    expect(outputKeyFor('in/../b.jpg', 'in/', 'out/')).toBe('out/../b.jpg.png');
    expect(keptKeyFor('in/a/../../b.jpg', 'in/', 'out/')).toBe('out/a/../../b.jpg');
  });

  it('refuses a key outside the source prefix or equal to it', () => {
    expect(() => outputKeyFor('other/cat.jpg', 'in/', 'out/')).toThrow(
      'source key "other/cat.jpg" is not under prefix "in/"',
    );
    expect(() => keptKeyFor('in/', 'in/', 'out/')).toThrow(/equals its prefix/);
  });
});

describe('isSourceKey', () => {
  it('skips directory markers and kpress files', () => {
    expect(isSourceKey('in/a.jpg', 'in/')).toBe(true);
    expect(isSourceKey('in/dir/', 'in/')).toBe(false);
    expect(isSourceKey('in/', 'in/')).toBe(false);
    expect(isSourceKey('in/_kpress/b1/records/a.jpg', 'in/')).toBe(false);
    expect(isSourceKey('in/x/_kpress.jpg', 'in/')).toBe(true);
    expect(isSourceKey('other/a.jpg', 'in/')).toBe(false);
  });
});

describe('batch keys', () => {
  it('lays out the batch folder', () => {
    expect(batchPrefix('out/', 'b1')).toBe('out/_kpress/b1/');
    expect(recordsPrefix('out/', 'b1')).toBe('out/_kpress/b1/records/');
    expect(recordKeyFor('out/', 'b1', 'x/cat.jpg')).toBe('out/_kpress/b1/records/x/cat.jpg');
    expect(relFromRecordKey('out/_kpress/b1/records/x/cat.jpg', 'out/', 'b1')).toBe('x/cat.jpg');
    expect(batchFileKeys('', 'b1')).toEqual({
      batch: '_kpress/b1/batch.json',
      listing: '_kpress/b1/listing.json',
      manifestJsonl: '_kpress/b1/manifest.jsonl',
      manifestCsv: '_kpress/b1/manifest.csv',
      manifestSha256: '_kpress/b1/manifest-sha256.txt',
      summary: '_kpress/b1/summary.json',
      report: '_kpress/b1/report.html',
    });
    expect(() => batchPrefix('out/', 'a/b')).toThrow(/"a\/b"/);
    expect(() => recordKeyFor('out/', 'b1', '')).toThrow(/empty/);
  });
});

describe('record keys keep the source listing order', () => {
  const tricky = [
    'a',
    'a-b',
    'a.b',
    'a b',
    'a+b',
    'a%20b',
    'a/b',
    'a/',
    'a0',
    'aé',
    'ae',
    'a~',
    'a..',
    '../a',
    'A',
    'é',
    'z',
    '😀',
    '\uffff',
    'a.png',
    'a.json',
  ];

  it('a ".json" suffix would break it (the reason records have none)', () => {
    expect(byUtf8('a', 'a-b')).toBeLessThan(0);
    expect(byUtf8('a.json', 'a-b.json')).toBeGreaterThan(0);
  });

  it('holds for every pair of tricky names and for random names', () => {
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const random = Array.from({ length: 2000 }, () => {
      const parts = Array.from({ length: 1 + rand(4) }, () => tricky[rand(tricky.length)]);
      return parts.join(rand(2) ? '' : '/');
    });
    const rels = [...new Set([...tricky, ...random])].filter((r) => r !== '' && !r.endsWith('/'));
    const sources = rels.map((r) => `in/${r}`).sort(byUtf8);
    const records = sources.map((s) => recordKeyFor('out/', 'b1', s.slice(3)));
    const listedRecords = [...records].sort(byUtf8);
    expect(listedRecords).toEqual(records);
    expect(listedRecords.map((k) => relFromRecordKey(k, 'out/', 'b1'))).toEqual(
      sources.map((s) => s.slice(3)),
    );
  });
});

describe('clashes', () => {
  it('names the PNG source a non-PNG source would overwrite', () => {
    expect(clashPartnerKey('in/cat')).toBe('in/cat.png');
    expect(clashPartnerKey('in/cat.jpg')).toBe('in/cat.jpg.png');
    expect(clashPartnerKey('in/cat.png')).toBeUndefined();
    expect(clashPartnerKey('in/cat.PNG')).toBeUndefined();
    expect(clashPartnerKey('in/cat') === 'in/cat.png').toBe(true);
    expect(clashPartnerKey('in/cat.png') === 'in/cat').toBe(false);
    expect(clashPartnerKey('in/cat') === 'in/cat.PNG').toBe(false);
    expect(clashMessage('in/cat', 'in/cat.png')).toContain('"in/cat.png"');
  });

  it('a clash is exactly two sources with one output key', () => {
    const src = ['in/cat', 'in/cat.png', 'in/cat.PNG', 'in/dog.jpg', 'in/dog.jpg.png'];
    const outputs = new Map<string, string[]>();
    for (const s of src) {
      const o = outputKeyFor(s, 'in/', 'out/');
      outputs.set(o, [...(outputs.get(o) ?? []), s]);
    }
    const clashing = [...outputs.values()].filter((v) => v.length > 1);
    expect(clashing).toEqual([
      ['in/cat', 'in/cat.png'],
      ['in/dog.jpg', 'in/dog.jpg.png'],
    ]);
    for (const [a, b] of clashing as [string, string][]) expect(clashPartnerKey(a)).toBe(b);
  });
});

describe('finalize ranges', () => {
  it('cuts the key space at sorted boundaries into ranges that cover every key once', async () => {
    const { finalizePartKeys, keyListPartKey, rangesFrom } = await import('./finalize-range.js');
    expect(rangesFrom([])).toEqual([{ after: null, upTo: null }]);
    expect(rangesFrom(['b', 'd'])).toEqual([
      { after: null, upTo: 'b' },
      { after: 'b', upTo: 'd' },
      { after: 'd', upTo: null },
    ]);
    expect(() => rangesFrom(['d', 'b'])).toThrow(/sorted and distinct/);
    expect(() => rangesFrom(['b', 'b'])).toThrow(/sorted and distinct/);
    expect(finalizePartKeys('out/', 'b1', 2, 7).jsonl).toBe(
      'out/_kpress/b1/finalize/2/part-000007.jsonl',
    );
    expect(keyListPartKey('out/', 'b1', 3)).toBe('out/_kpress/b1/keys/part-000003.jsonl');
  });
});
