/** Per-job stage times a worker logs on its `stage: "done"` line (ms). */
export interface JobTimings {
  codecMs: number;
  totalMs: number;
  /** Other stages the worker timed (checkMs, getMs, writeMs, recordMs), when present. */
  stages?: Record<string, number>;
}

const STAGES = ['checkMs', 'getMs', 'codecMs', 'writeMs', 'recordMs'] as const;

/** A worker's `done` log line: when it ended (epoch ms) and its stage times. */
export interface DoneLine {
  time: number;
  timings: JobTimings;
}

/** Figures of one run of a batch over W worker processes. */
export interface ThroughputFigures {
  images: number;
  /** From the enqueue command's start to the last job's end, seconds. */
  spanSeconds: number;
  imagesPerSecond: number;
  /** Share of in-job time outside the codec (GET, checks, PUT/COPY, record): 1 - codec/total. */
  inJobOverhead: number;
  /**
   * Share of the workers' slot time (slots x span) not spent in the codec:
   * adds queue hand-off and idle slots to the in-job overhead.
   */
  slotOverhead: number;
  /** Median per-image codec time, ms. */
  medianCodecMs: number;
  /** Mean ms per stage over the jobs that logged it. */
  meanStageMs: Record<string, number>;
}

/** Median of a list of numbers (NaN when empty). */
export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1
    ? (s[mid] as number)
    : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Throughput and overhead from the `done` lines of a run that started at `startedAt` (epoch ms) on `slots` job slots. */
export function throughput(lines: DoneLine[], startedAt: number, slots: number): ThroughputFigures {
  if (lines.length === 0) throw new RangeError('throughput: no finished jobs to measure');
  if (!Number.isInteger(slots) || slots < 1)
    throw new RangeError(`slots must be a positive integer, got ${slots}`);
  const end = Math.max(...lines.map((l) => l.time));
  const spanSeconds = (end - startedAt) / 1000;
  if (!(spanSeconds > 0))
    throw new RangeError(`the last job ended before the start (${end} <= ${startedAt})`);
  const codec = lines.reduce((s, l) => s + l.timings.codecMs, 0);
  const total = lines.reduce((s, l) => s + l.timings.totalMs, 0);
  return {
    images: lines.length,
    spanSeconds,
    imagesPerSecond: lines.length / spanSeconds,
    inJobOverhead: total > 0 ? 1 - codec / total : 0,
    slotOverhead: 1 - codec / (slots * spanSeconds * 1000),
    medianCodecMs: median(lines.map((l) => l.timings.codecMs)),
    meanStageMs: meanStages(lines),
  };
}

function meanStages(lines: DoneLine[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const stage of STAGES) {
    const values = lines
      .map((l) => (stage === 'codecMs' ? l.timings.codecMs : l.timings.stages?.[stage]))
      .filter((v): v is number => typeof v === 'number');
    if (values.length > 0) out[stage] = values.reduce((a, b) => a + b, 0) / values.length;
  }
  return out;
}

/** Picks the `done` lines of compress jobs out of pino JSON log lines (other lines are ignored). */
export function doneLines(logLines: string[]): DoneLine[] {
  const out: DoneLine[] = [];
  for (const line of logLines) {
    if (!line.startsWith('{')) continue;
    let v: { stage?: string; time?: number; timings?: Partial<JobTimings> };
    try {
      v = JSON.parse(line);
    } catch {
      continue;
    }
    const t = v.timings;
    if (
      v.stage === 'done' &&
      typeof v.time === 'number' &&
      typeof t?.codecMs === 'number' &&
      typeof t.totalMs === 'number'
    ) {
      const stages: Record<string, number> = {};
      for (const stage of STAGES) {
        const value = (t as Record<string, unknown>)[stage];
        if (stage !== 'codecMs' && typeof value === 'number') stages[stage] = value;
      }
      out.push({ time: v.time, timings: { codecMs: t.codecMs, totalMs: t.totalMs, stages } });
    }
  }
  return out;
}
