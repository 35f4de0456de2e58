/** What `/healthz` answers: 200 when `ok`, else 503; the object is the JSON body. */
export interface HealthStatus {
  ok: boolean;
  /** Anything else worth showing (state, redis status, queue, ...). */
  [detail: string]: unknown;
}

/** Called at each `/healthz` request. A throw or a rejection is a 503. */
export type HealthCheck = () => HealthStatus | Promise<HealthStatus>;
