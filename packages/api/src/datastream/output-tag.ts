/** A side output's name and record type (Flink's OutputTag); the id is unique per job. */
export class OutputTag<T> {
  /** Phantom member: keeps T part of the type. */
  declare readonly recordType?: T;

  constructor(readonly id: string) {
    if (typeof id !== 'string' || id.trim() === '') throw new TypeError('new OutputTag(id): the id must be a non-empty string');
  }

  toString(): string {
    return `OutputTag(${this.id})`;
  }
}
