import type { Output } from '../../output.js';

/** A chain's head with two inputs: records of input 1 enter at `first`, of input 2 at `second`. */
export interface TwoInputHead {
  readonly first: Output;
  readonly second: Output;
}
