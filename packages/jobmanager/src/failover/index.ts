export {
  createRestartStrategy,
  type RestartStrategy,
  type RestartStrategyConfig,
  type RestartStrategyKey,
} from './restart-strategy.js';
export { NoRestartStrategy } from './no-restart-strategy.js';
export { FixedDelayRestartStrategy, type FixedDelayOptions } from './fixed-delay-restart-strategy.js';
export { FailureRateRestartStrategy, type FailureRateOptions } from './failure-rate-restart-strategy.js';
export { ExponentialDelayRestartStrategy, type ExponentialDelayOptions } from './exponential-delay-restart-strategy.js';
export { PipelinedRegions, type PipelinedRegion, type SubtaskRef } from './pipelined-regions.js';
