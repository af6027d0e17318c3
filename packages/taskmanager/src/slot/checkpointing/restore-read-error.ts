/** A ranged read of a restore failed: names the checkpoint, the file and the bytes; the storage error is its cause. */
export class RestoreReadError extends Error {
  override readonly name = 'RestoreReadError';

  constructor(
    readonly checkpointId: number,
    readonly uri: string,
    readonly offset: number,
    readonly length: number,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`restoring checkpoint ${checkpointId}: reading bytes ${offset}..${offset + length - 1} (${length} bytes) of ${uri} failed: ${detail}`, options);
  }
}
