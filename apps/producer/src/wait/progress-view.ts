import cliProgress from 'cli-progress';
import type { WaitProgress } from './wait.js';

/** Options of {@link createProgressView}. */
export interface ProgressViewOptions {
  /** Where to draw. Default process.stderr. */
  stream?: NodeJS.WriteStream;
  /** Draw a bar (a TTY) or print plain lines. Default: stream.isTTY. */
  tty?: boolean;
  /** Seconds between plain lines. Default 5. */
  everySeconds?: number;
}

/** ", 2 held by a worker that stopped answering (back in the queue within 31 s)", or "". */
export function stalledNote(p: WaitProgress): string {
  if (p.stalled === undefined || p.stalled === 0) return '';
  const n = p.stalled === 1 ? '1 held' : `${p.stalled} held`;
  return `, ${n} by a worker that stopped answering (back in the queue within ${p.stalledBackInS ?? '?'} s)`;
}

/** Shows batch progress: a bar with rate and ETA on a TTY, else a plain line every few seconds. */
export function createProgressView(options: ProgressViewOptions = {}) {
  const stream = options.stream ?? process.stderr;
  const tty = options.tty ?? stream.isTTY === true;
  const every = (options.everySeconds ?? 5) * 1000;
  const started = Date.now();
  let lastLine = 0;
  let bar: cliProgress.SingleBar | undefined;
  return {
    update(p: WaitProgress): void {
      if (tty) {
        if (p.total === undefined) return;
        if (bar === undefined) {
          bar = new cliProgress.SingleBar(
            {
              stream,
              format:
                '{bar} {percentage}% | {value}/{total} images | {speed} img/s | ETA {eta_formatted}{stalled}',
              etaBuffer: 50,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(p.total, p.done, { speed: '0.0', stalled: '' });
        }
        const secs = (Date.now() - started) / 1000;
        bar.update(p.done, {
          speed: (p.done / Math.max(secs, 0.001)).toFixed(1),
          stalled: stalledNote(p),
        });
        return;
      }
      const now = Date.now();
      if (now - lastLine < every) return;
      lastLine = now;
      const secs = (now - started) / 1000;
      const rate = p.done / Math.max(secs, 0.001);
      const of = p.total === undefined ? '' : `/${p.total}`;
      const eta =
        p.total !== undefined && rate > 0 ? `, ETA ${Math.ceil((p.total - p.done) / rate)} s` : '';
      stream.write(
        `kpress: ${p.done}${of} images done, ${rate.toFixed(1)} img/s${eta}${stalledNote(p)}\n`,
      );
    },
    stop(): void {
      bar?.stop();
    },
  };
}
