import { describe, expect, it } from 'vitest';
import { spreadsheetCell, visibleText } from './visible-text.js';

describe('visibleText', () => {
  it('shows controls, escapes, bidi and zero-width characters as escapes', () => {
    expect(visibleText('a\u001b[31mb')).toBe('a\\x1b[31mb');
    expect(visibleText('x\ny\rz\t')).toBe('x\\ny\\rz\\t');
    expect(visibleText('\u0085\u007f')).toBe('\\x85\\x7f');
    expect(visibleText('evil\u202egnp.exe')).toBe('evil\\u202egnp.exe');
    expect(visibleText('a\u200bb\u2066c\u2069\ufeff\u061c')).toBe(
      'a\\u200bb\\u2066c\\u2069\\ufeff\\u061c',
    );
  });

  it('leaves ordinary text alone, accents and scripts included', () => {
    for (const t of ['café/naïve – 東京.jpg', 'שלום.png', ' spaced ', '']) {
      expect(visibleText(t)).toBe(t);
    }
  });
});

describe('spreadsheetCell', () => {
  it('prefixes what a spreadsheet would run as a formula', () => {
    for (const t of ['=1+2', '+1', '-2', '@SUM(A1)']) expect(spreadsheetCell(t)).toBe(`'${t}`);
    expect(spreadsheetCell('a=b')).toBe('a=b');
    expect(spreadsheetCell('\u001b=x')).toBe('\\x1b=x');
  });
});
