import { ConfigError } from '@kpress/config/config-error';
import { type Config, loadConfig } from '@kpress/config/load-config';
import { CliError } from './cli-error.js';

/**
 * The configuration from `env`, for a command: a ConfigError becomes a
 * one-line CliError (exit 1) with the first line of its message; anything
 * else is thrown as it is.
 */
export function cliConfigFromEnv(env: NodeJS.ProcessEnv): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message.split('\n')[0] ?? err.message);
    throw err;
  }
}
