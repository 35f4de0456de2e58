export {
  type BatchCheck,
  type BatchLocation,
  checkBatch,
  getBytes,
  listKeys,
  waitForObject,
} from './batch-check.js';
export {
  type FaultCounts,
  type FaultProxy,
  type FaultProxyOptions,
  type FaultRates,
  type ProxiedRequest,
  type ProxyReply,
  S3_MAX_KEY_BYTES,
  startFaultProxy,
} from './fault-proxy.js';
export {
  assertCliBuilt,
  FAST_STALL_ENV,
  KPRESS_BIN,
  kpress,
  obliterateQueue,
  startWorkers,
  stopWorkers,
} from './kpress-cli.js';
export { jsonLines, type LogLine } from './log-lines.js';
export { mulberry32 } from './prng.js';
export { sampleVariants } from './sample-variants.js';
