import type { Encoder } from './encoder.js';

/**
 * JSON lines: `JSON.stringify(record)` and a newline per record. A record
 * JSON cannot represent (undefined, a function, a symbol) or cannot
 * serialize (a cycle, a BigInt) fails the write, naming why.
 */
export function jsonLinesEncoder<T>(): Encoder<T> {
  return {
    encode(record: T): string {
      const json = JSON.stringify(record);
      if (json === undefined) throw new TypeError(`a ${typeof record} record has no JSON form`);
      return `${json}\n`;
    },
  };
}
