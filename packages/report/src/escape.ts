import { visibleText } from '@kpress/manifest';

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes text for HTML element content and quoted attribute values; control,
 * bidi and zero-width characters become visible escapes first (`visibleText`).
 */
export function escapeHtml(value: unknown): string {
  return visibleText(String(value)).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
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
 * could carry ANSI escape sequences or break lines), bidi and zero-width
 * characters become visible escapes (`visibleText` of @kpress/manifest).
 */
export const escapeTerminal: (value: string) => string = visibleText;
