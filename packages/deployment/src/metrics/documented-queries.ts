/**
 * The example queries of a Markdown page: every line of its ```promql blocks
 * that is neither blank nor a `#` comment is one PromQL expression.
 */
export function documentedQueries(markdown: string): string[] {
  const queries: string[] = [];
  let inBlock = false;
  for (const line of markdown.split('\n')) {
    const trimmed = line.trim();
    if (!inBlock) {
      inBlock = trimmed === '```promql';
      continue;
    }
    if (trimmed === '```') inBlock = false;
    else if (trimmed !== '' && !trimmed.startsWith('#')) queries.push(trimmed);
  }
  return queries;
}
