/** Options for {@link Backpressure}. */
export interface BackpressureOptions {
  /** Most jobs allowed to wait in the queue (KPRESS_MAX_WAITING; default 100,000). */
  maxWaiting: number;
  /** Reads how many jobs wait in the queue now. */
  depth: () => Promise<number>;
  /** Pause between two looks at the depth while the queue is full, in ms. Default 500. */
  pollMs?: number;
  /** Sleep used between polls. Default: a timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Told each time the producer has to wait, with the depth it saw. */
  onPause?: (depth: number) => void;
}

const timerSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Keeps the queue's waiting jobs at or under `maxWaiting`: before adding a
 * chunk the producer calls `room(n)`, which returns once `n` more jobs fit.
 * The listing is a lazy stream, so while this waits nothing more is listed.
 * A chunk larger than `maxWaiting` is let through once the queue is empty.
 */
export class Backpressure {
  readonly maxWaiting: number;
  private readonly pollMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Number of times `room` had to wait. */
  pauses = 0;

  constructor(private readonly options: BackpressureOptions) {
    if (!Number.isInteger(options.maxWaiting) || options.maxWaiting < 1) {
      throw new RangeError(`maxWaiting must be a positive integer, got ${options.maxWaiting}`);
    }
    const pollMs = options.pollMs ?? 500;
    if (!Number.isFinite(pollMs) || pollMs < 0) {
      throw new RangeError(`pollMs must be a non-negative number, got ${options.pollMs}`);
    }
    this.maxWaiting = options.maxWaiting;
    this.pollMs = pollMs;
    this.sleep = options.sleep ?? timerSleep;
  }

  /** The chunk size that can ever fit: `min(preferred, maxWaiting)`. */
  chunkSize(preferred: number): number {
    return Math.max(1, Math.min(preferred, this.maxWaiting));
  }

  /** Resolves once `incoming` more jobs fit under the limit. */
  async room(incoming: number): Promise<void> {
    let paused = false;
    for (;;) {
      const depth = await this.options.depth();
      if (depth + incoming <= this.maxWaiting || depth === 0) return;
      if (!paused) {
        paused = true;
        this.pauses++;
      }
      this.options.onPause?.(depth);
      await this.sleep(this.pollMs);
    }
  }
}
