/** Parses the `key:value` lines of Redis `INFO` into a map (sections and comments dropped). */
export function parseInfo(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    if (!line || line.startsWith('#')) continue;
    const at = line.indexOf(':');
    if (at > 0) out.set(line.slice(0, at), line.slice(at + 1));
  }
  return out;
}

/** `used_memory` in bytes from `INFO memory` text. */
export function usedMemory(infoText: string): number {
  const raw = parseInfo(infoText).get('used_memory');
  const n = Number(raw);
  if (raw === undefined || !Number.isFinite(n)) {
    throw new TypeError(`INFO memory has no numeric used_memory (got ${raw})`);
  }
  return n;
}

/** Calls per command from `INFO commandstats` text: `{ evalsha: 1234, ... }`. */
export function commandCalls(infoText: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, v] of parseInfo(infoText)) {
    if (!k.startsWith('cmdstat_')) continue;
    const m = /(?:^|,)calls=(\d+)/.exec(v);
    if (m) out.set(k.slice('cmdstat_'.length), Number(m[1]));
  }
  return out;
}

/** Per-command difference `after - before`, only the commands that changed. */
export function diffCalls(
  before: Map<string, number>,
  after: Map<string, number>,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const [cmd, n] of after) {
    const d = n - (before.get(cmd) ?? 0);
    if (d > 0) out.set(cmd, d);
  }
  return out;
}

/** Sum of all calls in a map. */
export function totalCalls(calls: Map<string, number>): number {
  let t = 0;
  for (const n of calls.values()) t += n;
  return t;
}

/** CPU seconds Redis has used (`used_cpu_user + used_cpu_sys` from `INFO cpu`, main thread and children). */
export function redisCpuSeconds(infoText: string): number {
  const info = parseInfo(infoText);
  const user = Number(info.get('used_cpu_user'));
  const sys = Number(info.get('used_cpu_sys'));
  if (!Number.isFinite(user) || !Number.isFinite(sys)) {
    throw new TypeError(`INFO cpu has no numeric used_cpu_user/used_cpu_sys`);
  }
  return user + sys;
}
