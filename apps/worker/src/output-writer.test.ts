import { describe, expect, it } from 'vitest';
import { judgeExisting, PROVENANCE } from './output-writer.js';

const out = { batchId: 'b1', key: 'out/cat.png', body: new Uint8Array(10) };

describe('judgeExisting', () => {
  it('the same batch and bytes: done already; other bytes: its own to replace', () => {
    const meta = { [PROVENANCE.batch]: 'b1', [PROVENANCE.sha256]: 'aa' };
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

  it('another batch, or no kpress metadata: in the way, never overwritten', () => {
    expect(judgeExisting({ size: 5, metadata: { [PROVENANCE.batch]: 'b0' } }, out, 'aa')).toEqual({
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
