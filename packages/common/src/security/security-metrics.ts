import { Counter, type Registry } from 'prom-client';

/** Where a refusal happened. */
export type RefusalPort = 'rpc' | 'rest' | 'data' | 'http';

/**
 * Why: `tls` a handshake that failed (plaintext client, untrusted or missing
 * certificate, timeout); `unauthenticated` a call without a valid
 * credential; `forbidden` a credential of the other surface (a client token
 * on an internal call); `protocol` garbage, truncated or oversized input;
 * `timeout` an idle or too slow connection.
 */
export type RefusalReason = 'tls' | 'unauthenticated' | 'forbidden' | 'protocol' | 'timeout';

/**
 * `rivulet_<component>_security_refused_total{port, reason}`: connections
 * and calls a daemon refused. A rising count is someone knocking with the
 * wrong credentials, a misconfigured peer, or garbage on a port.
 */
export class SecurityMetrics {
  private readonly refused: Counter<'port' | 'reason'>;

  constructor(registry: Registry, component: 'jobmanager' | 'taskmanager') {
    this.refused = new Counter({
      // Written out, so that the metric reference check finds both names in the sources.
      name: component === 'jobmanager' ? 'rivulet_jobmanager_security_refused_total' : 'rivulet_taskmanager_security_refused_total',
      help: 'Connections and calls refused, by port (rpc, rest, data, http) and reason (tls, unauthenticated, forbidden, protocol, timeout).',
      labelNames: ['port', 'reason'],
      registers: [registry],
    });
  }

  count(port: RefusalPort, reason: RefusalReason, by = 1): void {
    if (by > 0) this.refused.inc({ port, reason }, by);
  }
}
