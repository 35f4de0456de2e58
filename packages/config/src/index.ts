export { type ConfigIssue, ConfigError } from './config-error.js';
export {
  BYTES_PER_PIXEL,
  type Config,
  CONFIG_DEFAULTS,
  LOG_LEVELS,
  type LogLevel,
  loadConfig,
  pixelsForBudget,
  SHARP_MAX_PIXELS,
} from './load-config.js';
export { createLogger, type LoggerOptionsInput, REDACT_PATHS } from './logger.js';
export { createRedis, reconnectDelay, redisOptions } from './redis.js';
export { REDACTED, redact, redactUrl, registerSecret, SECRET_ENV_VARS } from './redact.js';
export type { Logger } from 'pino';
export type { Redis, RedisOptions } from 'ioredis';
export {
  IMAGE_OPTIONS_PARTIAL_SHAPE,
  IMAGE_OPTIONS_SHAPE,
  ImageOptionsSchema,
  optionSchema,
} from './option-schema.js';
export { KPRESS_VERSION } from './version.js';
