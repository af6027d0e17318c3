/**
 * A JobManager stand-in for the election tests, run as its own process so a
 * test can kill it with SIGKILL: campaigns with the arguments
 * ENDPOINT CLUSTER_ID TTL_MS and prints one JSON line per leadership event.
 */
import { EtcdLeaderElectionService, loadConfiguration, type LeaderSession } from '../../src/index.js';

const [endpoint, clusterId, ttl] = process.argv.slice(2);
if (endpoint === undefined || clusterId === undefined || ttl === undefined) {
  process.stderr.write('usage: campaign-child ENDPOINT CLUSTER_ID TTL_MS\n');
  process.exit(2);
}
const settings = loadConfiguration({
  flags: {
    'high-availability.type': 'etcd',
    'high-availability.etcd.endpoints': endpoint,
    'high-availability.cluster-id': clusterId,
    'high-availability.etcd.lease-ttl': Number(ttl),
  },
});
const emit = (line: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};
const election = new EtcdLeaderElectionService(settings);
await election.start(
  {
    grantLeadership: (session: LeaderSession) => emit({ event: 'granted', ...session }),
    revokeLeadership: () => emit({ event: 'revoked' }),
  },
  { rpcAddress: `child:${process.pid}`, restAddress: `child-rest:${process.pid}` },
);
emit({ event: 'campaigning', pid: process.pid });
process.on('SIGTERM', () => {
  void election.stop().then(() => process.exit(0));
});
