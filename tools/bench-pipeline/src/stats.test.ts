import { describe, expect, it } from 'vitest';
import { doneLines, median, throughput } from './stats.js';

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe('throughput', () => {
  it('computes rate, in-job and slot overheads', () => {
    const f = throughput(
      [
        { time: 2000, timings: { codecMs: 800, totalMs: 1000 } },
        { time: 3000, timings: { codecMs: 900, totalMs: 1000 } },
      ],
      1000,
      1,
    );
    expect(f.spanSeconds).toBe(2);
    expect(f.imagesPerSecond).toBe(1);
    expect(f.inJobOverhead).toBeCloseTo(0.15);
    expect(f.slotOverhead).toBeCloseTo(1 - 1700 / 2000);
    expect(f.medianCodecMs).toBe(850);
    expect(f.meanStageMs).toEqual({ codecMs: 850 });
  });

  it('refuses an empty run and bad slots', () => {
    expect(() => throughput([], 0, 1)).toThrow(/no finished jobs/);
    expect(() => throughput([{ time: 1, timings: { codecMs: 1, totalMs: 1 } }], 0, 0)).toThrow(
      /slots.*0/,
    );
  });
});

describe('doneLines', () => {
  it('keeps the done lines with timings and skips everything else', () => {
    const lines = [
      'kpress: plain text',
      '{"stage":"start","time":1}',
      '{"stage":"done","time":5,"timings":{"codecMs":3,"totalMs":4,"getMs":1}}',
      '{"stage":"done","time":6}',
      '{not json',
    ];
    expect(doneLines(lines)).toEqual([
      { time: 5, timings: { codecMs: 3, totalMs: 4, stages: { getMs: 1 } } },
    ]);
  });
});
