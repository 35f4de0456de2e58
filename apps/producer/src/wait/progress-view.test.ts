import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgressView, stalledNote } from './progress-view.js';

function plainLines(updates: Parameters<ReturnType<typeof createProgressView>['update']>[0][]) {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (d) => chunks.push(String(d)));
  const view = createProgressView({
    stream: stream as unknown as NodeJS.WriteStream,
    tty: false,
    everySeconds: 0,
  });
  for (const u of updates) view.update(u);
  view.stop();
  return chunks.join('').trim().split('\n');
}

describe('progress view', () => {
  it('says when jobs sit with a worker that stopped answering, and when they are back', () => {
    const [line] = plainLines([
      { total: 20, done: 18, pending: 2, stalled: 2, stalledBackInS: 31 },
    ]);
    expect(line).toMatch(
      /^kpress: 18\/20 images done, [\d.]+ img\/s, ETA \d+ s, 2 held by a worker that stopped answering \(back in the queue within 31 s\)$/,
    );
  });

  it('says nothing of it when no job is stalled', () => {
    expect(stalledNote({ total: 3, done: 1, pending: 2 })).toBe('');
    expect(stalledNote({ total: 3, done: 1, pending: 2, stalled: 0 })).toBe('');
    const [line] = plainLines([{ total: 20, done: 5, pending: 15 }]);
    expect(line).not.toContain('held');
  });
});
