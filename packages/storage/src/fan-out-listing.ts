/**
 * A listing of a prefix that fans out over its folders: the prefix is listed
 * with the delimiter '/', and the folders it holds are listed side by side
 * (down to `depth` levels), with a bound on the LIST requests in flight.
 * It yields exactly what `Storage.listObjects` yields, in the same order:
 * a folder's keys all start with the folder, so they sort together, before
 * every sibling key that compares above the folder's prefix and after every
 * one below it. Each folder listed ahead holds at most `PREFETCH_PAGES`
 * pages, so memory stays bounded whatever the tree.
 */
import pLimit, { type LimitFunction } from 'p-limit';
import { compareKeys } from './key-order.js';
import type { ListCursor, ObjectEntry, Storage } from './storage.js';

/** Options of `listObjectsFanOut`. */
export interface FanOutOptions {
  /** LIST requests in flight at most; 1 lists one page after another. Default 8. */
  concurrency?: number;
  /** Folder levels below the prefix that are listed with the delimiter; 0 lists serially. Default 2. */
  depth?: number;
  /**
   * Keys and folders per delimited page; default 1000 (S3's most). Plain
   * pages use the Storage's `pageSize`.
   */
  levelPageSize?: number;
}

/** Pages a folder listed ahead of the consumer may hold. */
const PREFETCH_PAGES = 2;

/**
 * The objects under `prefix` in key order, listed with up to `concurrency`
 * requests in flight over its folders. A tree without folders costs the same
 * requests as a serial listing; each folder costs at most one page more.
 */
export async function* listObjectsFanOut(
  storage: Storage,
  bucket: string,
  prefix: string,
  options: FanOutOptions = {},
): AsyncGenerator<ObjectEntry> {
  const concurrency = wholeNumber(options.concurrency ?? 8, 'concurrency', 1);
  const depth = wholeNumber(options.depth ?? 2, 'depth', 0);
  if (concurrency === 1 || depth === 0) {
    yield* storage.listObjects(bucket, prefix);
    return;
  }
  const levelPageSize = wholeNumber(options.levelPageSize ?? 1000, 'levelPageSize', 1);
  const listing = new FanOut(storage, bucket, pLimit(concurrency), concurrency, levelPageSize);
  for await (const chunk of listing.tree(prefix, depth)) yield* chunk;
}

function wholeNumber(value: number, name: string, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${name} must be a whole number >= ${min}, got ${value}`);
  }
  return value;
}

type Item = { object: ObjectEntry; folder?: undefined } | { folder: string };

class FanOut {
  constructor(
    private readonly storage: Storage,
    private readonly bucket: string,
    private readonly limit: LimitFunction,
    /** Folders of one level listed ahead of the consumer at most. */
    private readonly width: number,
    private readonly levelPageSize: number,
  ) {}

  /** The objects under `prefix`, in chunks, its folders listed ahead in parallel. */
  async *tree(prefix: string, depth: number): AsyncGenerator<ObjectEntry[]> {
    const items = this.level(prefix)[Symbol.asyncIterator]();
    const window: (ObjectEntry | Prefetch)[] = [];
    let ahead = 0;
    let exhausted = false;
    let current: Prefetch | undefined;
    const fill = async () => {
      while (!exhausted && ahead < this.width && window.length < this.width * 1000) {
        const next = await items.next();
        if (next.done === true) exhausted = true;
        else if (next.value.folder === undefined) window.push(next.value.object);
        else {
          const folder = next.value.folder;
          window.push(new Prefetch(depth > 1 ? this.tree(folder, depth - 1) : this.flat(folder)));
          ahead++;
        }
      }
    };
    try {
      await fill();
      while (window.length > 0) {
        const head = window.shift() as ObjectEntry | Prefetch;
        if (head instanceof Prefetch) {
          ahead--;
          current = head;
          yield* head.drain();
          current = undefined;
        } else {
          const run = [head];
          while (window.length > 0 && !(window[0] instanceof Prefetch))
            run.push(window.shift() as ObjectEntry);
          yield run;
        }
        await fill();
      }
    } finally {
      current?.cancel();
      for (const w of window) if (w instanceof Prefetch) w.cancel();
      await items.return?.(undefined);
    }
  }

  /** A prefix's objects and folders, one delimited page at a time, merged in key order. */
  private async *level(prefix: string): AsyncGenerator<Item> {
    let cursor: ListCursor | undefined = {};
    while (cursor !== undefined) {
      const at: ListCursor = cursor;
      const page = await this.limit(() =>
        this.storage.listPage(this.bucket, prefix, {
          cursor: at,
          delimiter: true,
          pageSize: this.levelPageSize,
        }),
      );
      // a page is a contiguous run of keys; some servers (s3rver 3.7) send a
      // delimited page's objects out of order, so each page is put in order
      const folders = inKeyOrder(page.folders, (f) => f);
      const objects = inKeyOrder(page.objects, (o) => o.key);
      let f = 0;
      for (const object of objects) {
        while (f < folders.length && compareKeys(folders[f] as string, object.key) < 0)
          yield { folder: folders[f++] as string };
        yield { object };
      }
      while (f < folders.length) yield { folder: folders[f++] as string };
      cursor = page.next;
    }
  }

  /** A folder's objects, one plain page at a time. */
  private async *flat(prefix: string): AsyncGenerator<ObjectEntry[]> {
    let cursor: ListCursor | undefined = {};
    while (cursor !== undefined) {
      const at: ListCursor = cursor;
      const page = await this.limit(() =>
        this.storage.listPage(this.bucket, prefix, { cursor: at }),
      );
      if (page.objects.length > 0) yield page.objects;
      cursor = page.next;
    }
  }
}

/** The items sorted by key as S3 orders them (a copy only when they are not). */
function inKeyOrder<T>(items: T[], key: (item: T) => string): T[] {
  for (let i = 1; i < items.length; i++) {
    if (compareKeys(key(items[i - 1] as T), key(items[i] as T)) > 0)
      return [...items].sort((a, b) => compareKeys(key(a), key(b)));
  }
  return items;
}

/** Runs a chunk stream ahead of its consumer, holding at most `PREFETCH_PAGES` chunks. */
class Prefetch {
  readonly #chunks: ObjectEntry[][] = [];
  #done = false;
  #cancelled = false;
  #error: unknown;
  #wake: (() => void) | undefined;
  #room: (() => void) | undefined;
  readonly #source: AsyncGenerator<ObjectEntry[]>;

  constructor(source: AsyncGenerator<ObjectEntry[]>) {
    this.#source = source;
    void this.#pump();
  }

  async #pump(): Promise<void> {
    try {
      for await (const chunk of this.#source) {
        this.#chunks.push(chunk);
        this.#wake?.();
        while (this.#chunks.length >= PREFETCH_PAGES && !this.#cancelled)
          await new Promise<void>((r) => {
            this.#room = r;
          });
        if (this.#cancelled) break;
      }
    } catch (err) {
      this.#error = err;
    } finally {
      this.#done = true;
      this.#wake?.();
    }
  }

  async *drain(): AsyncGenerator<ObjectEntry[]> {
    for (;;) {
      const chunk = this.#chunks.shift();
      if (chunk !== undefined) {
        this.#room?.();
        yield chunk;
        continue;
      }
      if (this.#error !== undefined) throw this.#error;
      if (this.#done) return;
      await new Promise<void>((r) => {
        this.#wake = r;
      });
    }
  }

  /** Stops listing ahead (the consumer left early); the request in flight ends on its own. */
  cancel(): void {
    this.#cancelled = true;
    this.#room?.();
  }
}
