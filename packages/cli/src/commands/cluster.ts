import type { Command } from 'commander';
import { hostPort, listJobManagers, type pb } from '@rivulet/common/client';
import { JobManagerClient, type ClientFlags } from '../client.js';
import { addConfigOptions, addOutputOption, resolveConfiguration, type ConfigFlags, type OutputFormat } from '../options.js';
import { printResult, table } from '../output.js';

interface ClusterFlags extends ConfigFlags, ClientFlags {
  readonly output: OutputFormat;
}

function address(endpoint: pb.Endpoint__Output | null): string {
  return endpoint ? hostPort(endpoint.host, endpoint.port) : '';
}

/** The JSON shape of `rivulet cluster --output json` (a documented contract). */
export function clusterJson(overview: pb.ClusterOverviewResponse__Output, now: number) {
  return {
    leader: {
      rpcAddress: address(overview.leader?.rpcEndpoint ?? null),
      restAddress: address(overview.leader?.restEndpoint ?? null),
      sessionId: overview.leader?.session?.sessionId ?? null,
      epoch: overview.leader?.session?.epoch ?? null,
    },
    standbys: [] as string[],
    taskmanagers: overview.taskmanagers.map((tm) => ({
      id: tm.resourceId,
      rpcAddress: address(tm.rpcEndpoint),
      httpAddress: address(tm.httpEndpoint),
      slotsTotal: tm.slotsTotal,
      slotsFree: tm.slotsFree,
      msSinceLastHeartbeat: Math.max(0, now - tm.lastHeartbeatMs),
    })),
    slotsTotal: overview.slotsTotal,
    slotsAvailable: overview.slotsAvailable,
    version: overview.version,
  };
}

export function registerClusterCommand(program: Command): void {
  const command = program
    .command('cluster')
    .description('show the leader, the TaskManagers and their slots')
    .option('--jobmanager <host:port>', 'JobManager to ask (default: from configuration)')
    .option('--token-file <file>', 'file holding the client token (default: security.auth.token, security.auth.token-file or RIVULET_SECURITY_AUTH_TOKEN)');
  addOutputOption(addConfigOptions(command)).action(async (flags: ClusterFlags) => {
    const config = resolveConfiguration(flags);
    const client = await JobManagerClient.fromFlags(flags, config);
    try {
      const overview = await client.call('ClusterOverview', {});
      const json = clusterJson(overview, Date.now());
      if (config['high-availability.type'] === 'etcd') {
        // Standbys publish themselves in the election; the leader is the one that answered.
        json.standbys = (await listJobManagers(config, 5000)).map((jm) => jm.rpcAddress).filter((a) => a !== json.leader.rpcAddress);
      }
      printResult(flags.output, json, () => [
        `Leader        ${json.leader.rpcAddress}  (REST http://${json.leader.restAddress})  session ${json.leader.sessionId ?? '-'}`,
        ...(json.standbys.length > 0 ? [`Standbys      ${json.standbys.join(', ')}`] : []),
        `TaskManagers  ${json.taskmanagers.length}   slots ${json.slotsTotal} total, ${json.slotsAvailable} available`,
        ...(json.taskmanagers.length === 0
          ? []
          : ['', ...table(
              ['ID', 'RPC', 'SLOTS', 'FREE', 'LAST HEARTBEAT'],
              json.taskmanagers.map((tm) => [tm.id, tm.rpcAddress, String(tm.slotsTotal), String(tm.slotsFree), `${tm.msSinceLastHeartbeat} ms ago`]),
            )]),
      ]);
    } finally {
      client.close();
    }
  });
}
