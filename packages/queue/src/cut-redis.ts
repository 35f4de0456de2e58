/** What cutRedis needs of a client: an ioredis `Redis`, or BullMQ's view of one. */
export interface CuttableClient {
  readonly status: string;
  disconnect(): void;
}

/** The message commands still waiting get when their client is cut. */
export const CUT_MESSAGE = 'Connection is closed (kpress cut the Redis client while closing)';

/**
 * Ends a Redis client for good and rejects every command still waiting on it
 * (`Error(CUT_MESSAGE)`), so that nothing awaiting Redis hangs on, and every
 * later command fails at once.
 *
 * ioredis's `disconnect()` alone does not do that while the client is
 * `reconnecting` to a Redis that is down: its socket is already closed, no
 * close event comes again, so the commands in its offline queue stay pending
 * for ever and the client never reaches `end` (a new command queues too;
 * redis/ioredis#2169). A closing worker would then wait for jobs whose last
 * step is a Redis call. In that state this does what ioredis does on a close
 * (its `setStatus('end')`, then `flushQueue`); in any other state the
 * disconnect's own close event does it.
 */
export function cutRedis(client: CuttableClient): void {
  client.disconnect();
  if (client.status !== 'reconnecting') return;
  const internals = client as unknown as {
    setStatus?: (status: string) => void;
    flushQueue?: (error: Error) => void;
  };
  internals.setStatus?.call(client, 'end');
  internals.flushQueue?.call(client, new Error(CUT_MESSAGE));
}
