import { SeededRandom } from './random.js';

/** Random strings as Nexmark's StringsGenerator makes them. */
const MIN_STRING_LENGTH = 3;
const REUSABLE_LENGTH = 1024 * 1024;

let reusable: string | undefined;

/** One fixed 1 MiB string of random letters; `extra` fields are slices of it (Nexmark's REUSABLE_EXTRA_STRING). */
function reusableExtraString(): string {
  if (reusable === undefined) {
    const random = new SeededRandom(0x5eed);
    const chunks: string[] = [];
    const codes = new Array<number>(4096);
    for (let done = 0; done < REUSABLE_LENGTH; done += codes.length) {
      for (let i = 0; i < codes.length; i++) codes[i] = 97 + random.nextInt(26);
      chunks.push(String.fromCharCode(...codes));
    }
    reusable = chunks.join('');
  }
  return reusable;
}

/** A string of 3..maxLength-1 letters, each a `special` character with probability 1/13, trimmed. */
export function nextString(random: SeededRandom, maxLength: number, special = ' '): string {
  let length = MIN_STRING_LENGTH + random.nextInt(maxLength - MIN_STRING_LENGTH);
  let text = '';
  while (length-- > 0) text += random.nextInt(13) === 0 ? special : String.fromCharCode(97 + random.nextInt(26));
  return special === ' ' ? text.trim() : text;
}

/** Exactly `length` random letters (a slice of the reusable string). */
export function nextExactString(random: SeededRandom, length: number): string {
  const source = reusableExtraString();
  const offset = random.nextInt(source.length - length);
  return source.slice(offset, offset + length);
}

/** Padding such that `currentSize` plus its length is `desiredAverageSize` on average (±20%). */
export function nextExtra(random: SeededRandom, currentSize: number, desiredAverageSize: number): string {
  if (currentSize > desiredAverageSize) return '';
  const desired = desiredAverageSize - currentSize;
  const delta = Math.round(desired * 0.2);
  const size = desired - delta + (delta === 0 ? 0 : random.nextInt(2 * delta));
  return nextExactString(random, size);
}
