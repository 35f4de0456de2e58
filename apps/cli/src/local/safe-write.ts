import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, rmSync } from 'node:fs';
import { constants, copyFile, link, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** Temporary files being written now: removed if SIGINT/SIGTERM cuts the command off. */
const inFlight = new Set<string>();
let handlersOn = false;

function onSignal(signal: NodeJS.Signals): void {
  for (const tmp of inFlight) rmSync(tmp, { force: true });
  process.exit(signal === 'SIGINT' ? 130 : 143);
}

function watchSignals(): void {
  if (handlersOn) return;
  handlersOn = true;
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}

/** Thrown when `path` exists and overwriting was not asked for. */
export class OutputExistsError extends Error {
  override readonly name = 'OutputExistsError';
  constructor(readonly path: string) {
    super(`${path} exists: kpress never writes over a file unless --overwrite is given`);
  }
}

/** Flushes a file's data to the disk (fsync). */
async function syncFile(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Flushes a folder's entries (the name just linked into it) to the disk.
 * Where a platform cannot fsync a folder (EISDIR, EINVAL, EPERM, EBADF: not
 * Linux) the file's own data is still flushed.
 */
async function syncFolder(path: string): Promise<void> {
  try {
    await syncFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (!['EISDIR', 'EINVAL', 'EPERM', 'EBADF'].includes(code)) throw err;
  }
}

/** Whether `path` is there; an error other than ENOENT counts as there (the mkdir below it will say what is wrong). */
async function present(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

/** Folders this process made (or is making): each settles once its parent is flushed. */
const made = new Map<string, Promise<void>>();

/** Makes one folder whose parent exists, then flushes the parent so that the new name lasts. */
function makeOne(folder: string): Promise<void> {
  let done = made.get(folder);
  if (done === undefined) {
    done = (async () => {
      try {
        await mkdir(folder);
      } catch (err) {
        // made meanwhile by another process: flushing its parent again costs little
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      await syncFolder(dirname(folder));
    })();
    made.set(folder, done);
    done.catch(() => made.delete(folder));
  }
  return done;
}

/**
 * `mkdir -p`, durably: walks up to the first folder that exists, then makes
 * each missing one top down, flushing its parent after each (a crash must not
 * lose a new folder, and with it the files linked into it). A folder another
 * write of this process is making is waited for, so no write returns before
 * the folders above its file are on the disk.
 */
async function makeFolders(folder: string): Promise<void> {
  const missing: string[] = [];
  for (let at = resolve(folder); ; at = dirname(at)) {
    const pending = made.get(at);
    if (pending !== undefined) {
      await pending;
      break;
    }
    if (await present(at)) break;
    missing.unshift(at);
    if (dirname(at) === at) break;
  }
  for (const at of missing) await makeOne(at);
}

/**
 * Writes `data` to `path` whole or not at all, and durably: into a temporary
 * file beside it, flushed to the disk, then moved into place and the folder
 * flushed, so that once it returns a crash or power loss cannot leave `path`
 * empty or half written (users delete their originals after a run). Without
 * `overwrite` the move cannot replace a file that appeared meanwhile (a hard
 * link, or an exclusive copy where the file system has no links): an existing
 * `path` gives OutputExistsError and is left as it was. Missing folders are
 * made, each with its parent flushed after it. A signal removes the temporary file.
 */
export async function writeWhole(
  path: string,
  data: Uint8Array,
  options: { overwrite: boolean },
): Promise<void> {
  await placeWhole(path, options, async (tmp) => {
    const fh = await open(tmp, 'wx');
    try {
      await fh.writeFile(data);
      await fh.datasync();
    } finally {
      await fh.close();
    }
  });
}

/**
 * Copies the file `from` to `path` by the rules of {@link writeWhole}, never
 * holding it in memory (a file over the byte limit), and returns the SHA-256
 * (hex) of the bytes copied, streamed from the copy itself: what is at
 * `path` is what the digest says, even if `from` changed meanwhile.
 */
export async function copyWhole(
  from: string,
  path: string,
  options: { overwrite: boolean },
): Promise<{ sha256: string; bytes: number }> {
  let digest = { sha256: '', bytes: 0 };
  await placeWhole(path, options, async (tmp) => {
    await copyFile(from, tmp, constants.COPYFILE_EXCL);
    await syncFile(tmp);
    digest = await digestFile(tmp);
  });
  return digest;
}

async function digestFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** Fills a temporary file beside `path` (`fill`, which flushes it), then moves it into place (see writeWhole). */
async function placeWhole(
  path: string,
  options: { overwrite: boolean },
  fill: (tmp: string) => Promise<void>,
): Promise<void> {
  watchSignals();
  await makeFolders(dirname(path));
  const tmp = `${path}.kpress-${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  inFlight.add(tmp);
  try {
    await fill(tmp);
    if (options.overwrite) {
      await rename(tmp, path);
    } else {
      try {
        await link(tmp, path);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') throw new OutputExistsError(path);
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw err;
        try {
          await copyFile(tmp, path, constants.COPYFILE_EXCL);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new OutputExistsError(path);
          throw e;
        }
        // a copy is new data: flush it too
        await syncFile(path);
      }
    }
    await syncFolder(dirname(path));
  } finally {
    await rm(tmp, { force: true });
    inFlight.delete(tmp);
  }
}
