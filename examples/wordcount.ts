import { defineJob } from '@rivulet/api';

/**
 * Word count over a text file.
 *
 *   pnpm rivulet run examples/wordcount.ts [-- --input FILE --output DIR]
 *
 * Reads the file in parallel splits, counts every word with a keyed running
 * sum, and writes one file per subtask to DIR (part-0, part-1, ...). Each
 * line of output is the running count of a word; the last line for a word
 * is its total.
 */
export default defineJob(
  (env) => {
    const input = env.getParameter('input', 'examples/data/hamlet.txt');
    const output = env.getParameter('output', '.rivulet/output/wordcount');
    env
      .readTextFile(input)
      .flatMap((line) => line.toLowerCase().split(/[^\p{L}\p{N}']+/u).filter((word) => word.length > 0))
      .name('tokenize')
      .map((word) => ({ word, count: 1 }))
      .keyBy((record) => record.word)
      .sum('count')
      .uid('word-counts')
      .writeAsText(output);
  },
  { name: 'word-count' },
);
