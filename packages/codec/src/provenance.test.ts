import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { compressImage, PROVENANCE_KEYWORD } from './compress.js';
import { textChunk } from './png.js';

const flat = () =>
  sharp({ create: { width: 16, height: 16, channels: 3, background: '#3a7' } })
    .png()
    .toBuffer();

describe('provenance in the PNG', () => {
  it('writes a Software chunk and the facts as JSON, which decoders read back', async () => {
    const r = await compressImage(await flat(), {
      colors: 4,
      provenance: {
        software: 'kpress 9.9.9',
        facts: { batch: 'b1', source: 'in/ünïcode 東京.png', colors: 4 },
      },
    });
    const comments = (await sharp(r.png).metadata()).comments ?? [];
    expect(comments).toContainEqual({ keyword: 'Software', text: 'kpress 9.9.9' });
    const facts = JSON.parse(comments.find((c) => c.keyword === PROVENANCE_KEYWORD)?.text ?? '{}');
    expect(facts).toMatchObject({
      batch: 'b1',
      source: 'in/ünïcode 東京.png',
      colorsWritten: r.colors,
    });
    // UTF-8 text goes in iTXt, Latin-1 in tEXt
    expect(r.png.includes(Buffer.from('iTXtkpress'))).toBe(true);
    expect(r.png.includes(Buffer.from('tEXtSoftware'))).toBe(true);
  });

  it('writes none without provenance', async () => {
    const r = await compressImage(await flat(), { colors: 4 });
    expect((await sharp(r.png).metadata()).comments ?? []).toEqual([]);
  });

  it('refuses a keyword PNG does not allow, naming it', () => {
    expect(() => textChunk('', 'x')).toThrow(/PNG text keyword must be 1-79 printable Latin-1/);
    expect(() => textChunk(' lead', 'x')).toThrow(/got " lead"/);
  });
});
