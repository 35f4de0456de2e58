import { redactUrl } from '@kpress/config';
import { connectRedis } from '@kpress/queue';
import { CliError } from '@kpress/cli';

/**
 * Checks that Redis answers at `redisUrl`; otherwise throws a CliError that
 * says how to start one (the demo needs nothing else).
 */
export async function ensureRedis(redisUrl: string): Promise<void> {
  try {
    const redis = await connectRedis({ redisUrl }, { timeoutMs: 3000 });
    await redis.quit().catch(() => redis.disconnect());
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new CliError(
      `${why}. The demo needs a Redis: start one with "redis-server --daemonize yes" ` +
        `(Debian: apt-get install -y redis-server) or "docker run -d -p 6379:6379 redis:7", ` +
        `or set REDIS_URL (now ${redactUrl(redisUrl)}); "pnpm demo" starts a local redis-server for you when it is installed.`,
    );
  }
}
