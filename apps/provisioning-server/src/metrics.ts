import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ConnectorInstances, DeliveryOutcome, JobStore, ProvisioningJob, ProvisioningWorker } from '@provisioning/core';

/**
 * Prometheus metrics (prom-client): jobs by state (read from the database at scrape time, so every
 * instance reports the shared truth), delivery latency from commit to remote success, attempts by
 * outcome, retries, and token requests.
 */
export function createMetrics(store: JobStore, worker: ProvisioningWorker, instances: ConnectorInstances): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  new Gauge({
    name: 'provisioning_jobs',
    help: 'Provisioning jobs by state',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const counts = await store.countByState();
      this.reset();
      for (const state of ['pending', 'running', 'retrying', 'succeeded', 'failed', 'discarded']) this.set({ state }, counts.get(state) ?? 0);
    },
  });
  const latency = new Histogram({
    name: 'provisioning_delivery_latency_seconds',
    help: 'Time from the local commit to the remote system confirming the change',
    labelNames: ['connector', 'operation'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800],
    registers: [registry],
  });
  const attempts = new Counter({
    name: 'provisioning_remote_calls_total',
    help: 'Delivery attempts by connector and outcome (created, updated, deprovisioned, linked, unchanged, or the error kind)',
    labelNames: ['connector', 'outcome'] as const,
    registers: [registry],
  });
  const retries = new Counter({
    name: 'provisioning_retries_total',
    help: 'Attempts that failed transiently and were scheduled again',
    labelNames: ['connector'] as const,
    registers: [registry],
  });
  const tokens = new Counter({
    name: 'provisioning_token_requests_total',
    help: 'OAuth token requests made by connectors',
    labelNames: ['connector', 'outcome'] as const,
    registers: [registry],
  });

  worker.onAttempt((outcome: DeliveryOutcome, job: ProvisioningJob) => {
    attempts.inc({ connector: job.connectorType, outcome: outcome.result?.outcome ?? outcome.error?.kind ?? outcome.state });
    if (outcome.state === 'retrying') retries.inc({ connector: job.connectorType });
    if (outcome.state === 'succeeded') latency.observe({ connector: job.connectorType, operation: job.operation }, (Date.now() - job.createdAt) / 1000);
  });
  instances.observeTokenRequests((connector, outcome) => tokens.inc({ connector, outcome }));
  return registry;
}
