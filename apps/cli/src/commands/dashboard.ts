import { redactUrl } from '@kpress/config/redact';
import type { Command } from 'commander';
import { CliError, EXIT, intInRange, loadCliConfig, say } from '@kpress/cli-kit';

const HELP_AFTER = `
Serves bull-board for the queue KPRESS_QUEUE (default kpress) on REDIS_URL:
jobs waiting, active, completed and failed, with their data and errors.
Read-only unless --allow-actions (retry, clean, pause, promote, add), which
needs basic auth.

Basic auth: set KPRESS_DASHBOARD_USER and KPRESS_DASHBOARD_PASSWORD (both, or
neither) and every request needs them; compared in constant time. Use it (and
TLS in front) before listening on anything but 127.0.0.1.

Host check: requests whose Host header is not localhost, 127.0.0.1, ::1, the
--host address or an --allowed-host name get 421 (no DNS rebinding). Behind a
proxy or on 0.0.0.0, name the host users type with --allowed-host.

Stops on SIGTERM or SIGINT and exits 0. Exit status 1 when the port is taken
or the configuration is wrong; 2 for a bad flag.

Examples:
  $ kpress dashboard                                  # http://127.0.0.1:3000/
  $ KPRESS_DASHBOARD_USER=ops KPRESS_DASHBOARD_PASSWORD=... kpress dashboard --allow-actions
  $ KPRESS_DASHBOARD_USER=ops KPRESS_DASHBOARD_PASSWORD=... kpress dashboard --host 0.0.0.0 --allowed-host kpress.example.org`;

interface DashboardFlags {
  port: number;
  host: string;
  allowActions?: boolean;
  allowedHost: string[];
}

export function register(program: Command): void {
  program
    .command('dashboard')
    .description('serve bull-board for the queue (read-only unless --allow-actions)')
    .option('--port <N>', 'port to listen on', intInRange('--port', 0, 65535), 3000)
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option(
      '--allow-actions',
      'allow retrying, cleaning, pausing and adding jobs (needs basic auth)',
    )
    .option(
      '--allowed-host <name>',
      'also answer to this Host name (repeatable)',
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .addHelpText('after', HELP_AFTER)
    .action(async (flags: DashboardFlags) => {
      const config = await loadCliConfig();
      const user = process.env.KPRESS_DASHBOARD_USER ?? '';
      const password = process.env.KPRESS_DASHBOARD_PASSWORD ?? '';
      if ((user === '') !== (password === '')) {
        throw new CliError(
          'set both KPRESS_DASHBOARD_USER and KPRESS_DASHBOARD_PASSWORD for basic auth, or neither',
          EXIT.usage,
        );
      }
      if (flags.allowActions === true && user === '') {
        throw new CliError(
          '--allow-actions needs basic auth: set KPRESS_DASHBOARD_USER and KPRESS_DASHBOARD_PASSWORD (whoever can add or edit jobs can make workers do anything a job can)',
          EXIT.usage,
        );
      }
      // loaded on use: bull-board and express stay out of every other command's start-up
      const { DashboardServer } = await import('../dashboard/dashboard-server.js');
      const server = new DashboardServer({
        config,
        port: flags.port,
        host: flags.host,
        allowActions: flags.allowActions === true,
        extraHosts: flags.allowedHost,
        ...(user === '' ? {} : { auth: { user, password } }),
      });
      let port: number;
      try {
        port = await server.listen();
      } catch (err) {
        await server.close().catch(() => {});
        const e = err as NodeJS.ErrnoException;
        const why =
          e.code === 'EADDRINUSE' ? 'the port is in use (pick another with --port)' : e.message;
        throw new CliError(`cannot listen on ${flags.host}:${flags.port}: ${why}`);
      }
      const host = flags.host.includes(':') ? `[${flags.host}]` : flags.host;
      const redis = await server.firstRedisAnswer();
      say(
        `dashboard for queue ${config.queueName} on ${redactUrl(config.redisUrl)}: http://${host}:${port}/` +
          ` (${flags.allowActions ? 'actions allowed' : 'read-only'}${user ? ', basic auth' : ''})`,
      );
      if (redis !== 'ready') {
        say(`${server.redisProblem()}: the pages answer 503 saying so until it does (retrying)`);
      }
      await new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals) => {
          say(`${signal}: closing the dashboard`);
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await server.close();
    });
}
