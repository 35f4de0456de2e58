import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { WorstCrop, WorstCropOptions } from '@kpress/report/crop';
import type { CompressTask, CompressTaskResult, CropTask } from './task-types.js';

/** Options for {@link CompressPool}. */
export interface CompressPoolOptions {
  /** Threads, and so images decoded at once. Default: the number of cores. */
  threads?: number;
  /** libvips threads per pool thread (sharp.concurrency). Default 1. */
  sharpConcurrency?: number;
}

/** The compiled task module: beside this file in dist, or dist/ when running from src (tests). */
function taskFile(): string {
  const here = new URL('./task.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here.href;
  const built = new URL('../dist/task.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return built.href;
  throw new Error(
    `compress task module not found at ${fileURLToPath(here)}: build @kpress/compress first`,
  );
}

/**
 * The CPU pool: worker threads that run `compressImage`, so decoding and
 * k-means never block the event loop (BullMQ keeps renewing job locks).
 */
export class CompressPool {
  readonly threads: number;
  private readonly piscina: Piscina<CompressTask | CropTask, CompressTaskResult | WorstCrop>;

  constructor(options: CompressPoolOptions = {}) {
    const threads = options.threads ?? availableParallelism();
    if (!Number.isInteger(threads) || threads < 1) {
      throw new RangeError(`threads must be a positive integer, got ${options.threads}`);
    }
    const sharpConcurrency = options.sharpConcurrency ?? 1;
    if (!Number.isInteger(sharpConcurrency) || sharpConcurrency < 0) {
      throw new RangeError(
        `sharpConcurrency must be a non-negative integer, got ${options.sharpConcurrency}`,
      );
    }
    this.threads = threads;
    this.piscina = new Piscina({
      filename: taskFile(),
      minThreads: threads,
      maxThreads: threads,
      // Never queue more than one task per thread beyond the running ones.
      maxQueue: threads,
      idleTimeout: 60_000,
      env: { ...process.env, KPRESS_SHARP_CONCURRENCY: String(sharpConcurrency) },
    });
  }

  /** Compresses `task.source`; its memory is transferred to the thread when it owns it. */
  run(task: CompressTask): Promise<CompressTaskResult> {
    const src = task.source;
    const owns = src.byteOffset === 0 && src.byteLength === src.buffer.byteLength;
    const source = owns ? src : new Uint8Array(src);
    return this.piscina.run(
      { ...task, source },
      { transferList: [source.buffer as ArrayBuffer] },
    ) as Promise<CompressTaskResult>;
  }

  /**
   * A report's worst-case crop of `source` and `output` (@kpress/report's makeWorstCrop) made in
   * a pool thread, where sharp is loaded already; the bytes are copied to it.
   */
  crop(source: Uint8Array, output: Uint8Array, options: WorstCropOptions): Promise<WorstCrop> {
    const task: CropTask = {
      source: new Uint8Array(source),
      output: new Uint8Array(output),
      options,
    };
    return this.piscina.run(task, {
      name: 'crop',
      transferList: [task.source.buffer as ArrayBuffer, task.output.buffer as ArrayBuffer],
    }) as Promise<WorstCrop>;
  }

  async close(): Promise<void> {
    await this.piscina.close();
  }
}
