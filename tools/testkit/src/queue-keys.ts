import { Redis } from 'ioredis';
import { redisUrl } from './redis-names.js';

/**
 * Deletes every key of a test queue: BullMQ's `bull:<queue>:*` and kpress's
 * own `kpress:<queue>:*` (batch tracker, registry, markers), which BullMQ's
 * `obliterate` leaves. Call it when the queue's workers have stopped (a live
 * worker writes `bull:<queue>:meta` again). Returns how many keys went.
 */
export async function removeQueueKeys(queueName: string, url = redisUrl()): Promise<number> {
  if (queueName === '' || /[*?[\]:]/.test(queueName)) {
    throw new RangeError(
      `queue name ${JSON.stringify(queueName)} must be non-empty, without : * ? [ ]`,
    );
  }
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => {});
  let removed = 0;
  try {
    await redis.connect();
    for (const pattern of [`bull:${queueName}:*`, `kpress:${queueName}:*`]) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) removed += await redis.unlink(...keys);
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
  return removed;
}
