/**
 * The jobs a worker is processing now: `run` counts a job while its work
 * runs, `none()` resolves once no job is left in hand.
 */
export class JobsInHand {
  private count = 0;
  private waiting: Array<() => void> = [];

  /** How many jobs are in hand. */
  get size(): number {
    return this.count;
  }

  /** Runs `work`, counting it in hand until it settles; returns (or throws) what it does. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    this.count += 1;
    try {
      return await work();
    } finally {
      this.count -= 1;
      if (this.count === 0) {
        const waiting = this.waiting;
        this.waiting = [];
        for (const resolve of waiting) resolve();
      }
    }
  }

  /** Resolves once no job is in hand: at once when none is. */
  none(): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}
