export type { HealthCheck, HealthStatus } from './health.js';
export { MetricsServer, type MetricsServerOptions } from './metrics-server.js';
export {
  createWorkerMetrics,
  JOB_OUTCOMES,
  type JobOutcome,
  STAGE_BUCKETS,
  STAGES,
  type Stage,
  type WorkerMetrics,
  type WorkerMetricsOptions,
} from './worker-metrics.js';
