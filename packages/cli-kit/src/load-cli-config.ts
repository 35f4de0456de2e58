import type { Config } from '@kpress/config/load-config';

/**
 * The configuration from the environment, for a command: a ConfigError becomes
 * a one-line CliError (exit 1) with the first line of its message; anything
 * else is thrown as it is. The schema (and zod) is loaded on the first call, so
 * that `--help`, `--version` and usage errors start without it.
 */
export async function loadCliConfig(env: NodeJS.ProcessEnv = process.env): Promise<Config> {
  const { cliConfigFromEnv } = await import('./cli-config-from-env.js');
  return cliConfigFromEnv(env);
}
