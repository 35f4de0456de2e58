import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

function sink() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  return { lines, stream };
}

describe('createLogger', () => {
  it('writes JSON lines at the level asked, with base fields', () => {
    const { lines, stream } = sink();
    const log = createLogger({
      level: 'warn',
      pretty: false,
      base: { app: 'worker' },
      destination: stream,
    });
    log.info('hidden');
    log.warn({ n: 1 }, 'shown');
    expect(lines).toHaveLength(1);
    const rec = JSON.parse(lines[0] as string);
    expect(rec).toMatchObject({ level: 40, app: 'worker', n: 1, msg: 'shown' });
  });

  it('hides secrets in fields, messages and errors', () => {
    const { lines, stream } = sink();
    const log = createLogger({ pretty: false, destination: stream });
    log.info(
      { password: 'pw-1', creds: { secretAccessKey: 'sk-2' }, url: 'redis://u:pw-3@h' },
      'at redis://u:pw-4@h',
    );
    log.error({ err: new Error('failed for redis://u:pw-5@h') }, 'boom');
    const text = lines.join('\n');
    for (const s of ['pw-1', 'sk-2', 'pw-3', 'pw-4', 'pw-5']) expect(text).not.toContain(s);
    expect(text).toContain('redis://u:***@h');
  });

  it('pretty-prints human lines when asked', () => {
    const { lines, stream } = sink();
    createLogger({ pretty: true, destination: stream }).info('hello there');
    const text = lines.join('\n');
    expect(text).toContain('hello there');
    expect(() => JSON.parse(lines[0] as string)).toThrow();
  });
});
