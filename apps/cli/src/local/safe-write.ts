import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { constants, copyFile, link, mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

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

/**
 * Writes `data` to `path` whole or not at all, and durably: into a temporary
 * file beside it, flushed to the disk, then moved into place and the folder
 * flushed, so that once it returns a crash or power loss cannot leave `path`
 * empty or half written (users delete their originals after a run). Without
 * `overwrite` the move cannot replace a file that appeared meanwhile (a hard
 * link, or an exclusive copy where the file system has no links): an existing
 * `path` gives OutputExistsError and is left as it was. Missing folders are
 * made. A signal removes the temporary file.
 */
export async function writeWhole(
  path: string,
  data: Uint8Array,
  options: { overwrite: boolean },
): Promise<void> {
  watchSignals();
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.kpress-${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  inFlight.add(tmp);
  try {
    const fh = await open(tmp, 'wx');
    try {
      await fh.writeFile(data);
      await fh.datasync();
    } finally {
      await fh.close();
    }
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
