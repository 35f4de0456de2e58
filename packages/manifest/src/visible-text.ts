/**
 * Text from the data (keys, reasons) made safe to show to a person, in a
 * terminal, a spreadsheet or a web page. Pure. manifest.jsonl keeps the exact
 * text; these are for the views of it.
 */

// C0 and C1 controls and DEL (ANSI escape sequences, line breaks), bidi controls
// (U+061C, U+200E/F, U+202A-E, U+2066-9: text shown in another order than it is),
// zero-width and invisible characters (U+200B-D, U+2060-4, U+FEFF)
const HIDDEN =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this shows
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/**
 * Every control, bidi and zero-width character as a visible escape:
 * `\n`, `\r`, `\t`, `\x1b` for controls, `\u202e` for the others.
 */
export function visibleText(value: string): string {
  return value.replace(HIDDEN, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    const code = c.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * A text cell for a spreadsheet: visible (see `visibleText`), and prefixed
 * with `'` when it starts with `=`, `+`, `-` or `@`, which spreadsheets would
 * run as a formula (OWASP "CSV injection").
 */
export function spreadsheetCell(value: string): string {
  const shown = visibleText(value);
  return /^[=+\-@]/.test(shown) ? `'${shown}` : shown;
}
