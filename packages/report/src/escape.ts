const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

const DATA_URI = /^data:image\/(?:png|webp|jpeg|gif);base64,[A-Za-z0-9+/]+={0,2}$/;

/**
 * The data URI when it is an inline base64 image (png, webp, jpeg, gif),
 * else null: a thumbnail can never make the page fetch anything or run code.
 */
export function safeImageDataUri(uri: string | null | undefined): string | null {
  return typeof uri === 'string' && DATA_URI.test(uri) ? uri : null;
}

/**
 * Makes a string safe to print on a terminal: control characters (which
 * could carry ANSI escape sequences or break lines) become visible escapes.
 */
export function escapeTerminal(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this removes
  return value.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}
