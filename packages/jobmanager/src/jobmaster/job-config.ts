import type { JobMaster } from './job-master.js';

/**
 * The JSON of `GET /jobs/:id/config`, in the shape of Flink's JobConfigInfo
 * (`jid`, `name`, `execution-config`): what the job runs with — its
 * parallelism and key groups, checkpointing (Flink's key names, durations
 * in ms), restart and failover strategies, scheduling, the snapshot it
 * started from and the arguments it was submitted with.
 */
export function jobConfigJson(master: JobMaster): Record<string, unknown> {
  const { options } = master;
  const graph = options.graph;
  const checkpointing = options.checkpointing.configuration;
  return {
    jid: master.jobId,
    name: master.name,
    'execution-config': {
      'parallelism.default': graph.defaultParallelism,
      'pipeline.max-parallelism': graph.maxParallelism,
      'pipeline.object-reuse': graph.objectReuse === true,
      'pipeline.auto-watermark-interval': graph.autoWatermarkIntervalMs ?? 200,
      'execution.checkpointing.interval': checkpointing.intervalMs,
      'execution.checkpointing.mode': checkpointing.mode,
      'execution.checkpointing.unaligned.enabled': checkpointing.unaligned,
      'execution.checkpointing.timeout': checkpointing.timeoutMs,
      'execution.checkpointing.min-pause': checkpointing.minPauseMs,
      'execution.checkpointing.max-concurrent-checkpoints': checkpointing.maxConcurrentCheckpoints,
      'execution.checkpointing.tolerable-failed-checkpoints': checkpointing.tolerableFailedCheckpoints,
      'execution.checkpointing.num-retained': checkpointing.numRetained,
      'execution.checkpointing.externalized-checkpoint-retention': checkpointing.externalizedRetention,
      'restart-strategy': options.failover.restartStrategy.description,
      'jobmanager.execution.failover-strategy': options.failover.strategy,
      'scheduler-mode': options.failover.schedulerMode,
      'slot.request.timeout': options.slotRequestTimeoutMs,
      'cluster.evenly-spread-out-slots': options.spreadSlots,
      'restored-from': options.restore?.uri ?? null,
      'program-args': graph.args,
    },
  };
}
