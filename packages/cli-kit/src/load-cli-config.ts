import { ConfigError, type Config, loadConfig } from '@kpress/config';
import { CliError } from './cli-error.js';

/**
 * The configuration from the environment, for a command: a ConfigError becomes
 * a one-line CliError (exit 1) with the first line of its message; anything
 * else is thrown as it is.
 */
export function loadCliConfig(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message.split('\n')[0] ?? err.message);
    throw err;
  }
}
