import { describe, expect, it } from 'vitest';
import { judgeExisting, PROVENANCE } from './output-writer.js';

const out = { batchId: 'b1', key: 'out/cat.png', body: new Uint8Array(10), sourceKey: 'in/cat' };
const ours = { [PROVENANCE.batch]: 'b1', [PROVENANCE.source]: 'in%2Fcat' };

describe('judgeExisting', () => {
  it('the same batch, source and bytes: done already; other bytes: its own to replace', () => {
    const meta = { ...ours, [PROVENANCE.sha256]: 'aa' };
    expect(judgeExisting({ size: 10, metadata: meta }, out, 'aa')).toEqual({
      kind: 'already-there',
    });
    expect(judgeExisting({ size: 10, metadata: meta }, out, 'bb')).toEqual({
      kind: 'overwrite-own',
    });
    expect(judgeExisting({ size: 9, metadata: meta }, out, 'aa')).toEqual({
      kind: 'overwrite-own',
    });
  });

  it('another source of the same batch: in the way even with the same bytes, naming both keys', () => {
    const meta = {
      [PROVENANCE.batch]: 'b1',
      [PROVENANCE.source]: 'in%2Fcat.png',
      [PROVENANCE.sha256]: 'aa',
    };
    expect(judgeExisting({ size: 10, metadata: meta }, out, 'aa')).toEqual({
      kind: 'in-the-way',
      reason:
        'output key "out/cat.png" of source "in/cat" is taken by the output of another source of this batch, "in/cat.png" (10 bytes): nothing was overwritten; rename one of the two sources',
    });
    expect(judgeExisting({ size: 10, metadata: meta }, out, 'bb')).toMatchObject({
      kind: 'in-the-way',
    });
  });

  it('the same batch without a source, or a garbled one: in the way', () => {
    for (const source of [undefined, '%E0%A4%A']) {
      const meta: Record<string, string> = { [PROVENANCE.batch]: 'b1', [PROVENANCE.sha256]: 'aa' };
      if (source !== undefined) meta[PROVENANCE.source] = source;
      expect(judgeExisting({ size: 10, metadata: meta }, out, 'aa')).toMatchObject({
        kind: 'in-the-way',
        reason: expect.stringContaining('an output of this batch that names no source (10 bytes)'),
      });
    }
  });

  it('another batch, or no kpress metadata: in the way, never overwritten', () => {
    expect(
      judgeExisting({ size: 5, metadata: { ...ours, [PROVENANCE.batch]: 'b0' } }, out, 'aa'),
    ).toEqual({
      kind: 'in-the-way',
      reason:
        'output key "out/cat.png" is taken by an output of another kpress batch, "b0" (5 bytes): nothing was overwritten; move it away or write this batch to another destination',
    });
    expect(judgeExisting({ size: 5, metadata: {} }, out, 'aa')).toMatchObject({
      kind: 'in-the-way',
      reason: expect.stringContaining('an object not written by kpress (5 bytes)'),
    });
  });
});
