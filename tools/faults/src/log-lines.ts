/** One pino log line, parsed. */
export type LogLine = Record<string, unknown> & { msg?: string; stage?: string; key?: string };

/** The JSON log lines among `lines` (other lines are skipped). */
export function jsonLines(lines: readonly string[]): LogLine[] {
  const out: LogLine[] = [];
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as LogLine);
    } catch {
      // not JSON after all
    }
  }
  return out;
}
