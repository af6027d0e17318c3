/** What a rolling policy sees of an in-progress part file (Flink's PartFileInfo). */
export interface PartFileInfo {
  /** The bucket the part file belongs to ('' for the base path). */
  readonly bucketId: string;
  /** Processing time (ms) the part file was opened at: when its first record arrived. */
  readonly creationTime: number;
  /** Processing time (ms) of its last record. */
  readonly lastUpdateTime: number;
  /** Bytes written to it so far (encoded records, header included). */
  readonly size: number;
}

/**
 * When an in-progress part file is closed and a new one begun (Flink's
 * RollingPolicy). `shouldRollOnEvent` is asked before each record is written
 * to the file; `shouldRollOnProcessingTime` every bucket check interval for
 * every open file. Independently of the policy, every part file is closed at
 * every checkpoint (it never spans one; see docs/connectors-files.md), and at
 * the end of input.
 */
export interface RollingPolicy<T> {
  shouldRollOnEvent(partFile: PartFileInfo, record: T): boolean;
  shouldRollOnProcessingTime(partFile: PartFileInfo, currentTime: number): boolean;
}
