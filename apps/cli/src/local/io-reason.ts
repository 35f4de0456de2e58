/** A file-system error as the one-line reason kpress prints: "no such file", "permission denied", ... */
export function ioReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return 'no such file';
  if (e?.code === 'EISDIR') return 'is a directory';
  if (e?.code === 'EACCES' || e?.code === 'EPERM') return 'permission denied';
  return e instanceof Error ? (e.message.split('\n')[0] ?? e.message) : String(err);
}
