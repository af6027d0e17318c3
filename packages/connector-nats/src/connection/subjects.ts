/**
 * NATS subject patterns: tokens separated by `.`, where `*` matches one
 * token and a final `>` one or more. Used to check that the subjects a
 * connector reads or writes are captured by its stream, and that the
 * source's split filters do not overlap (a message in two splits would be
 * read twice).
 */

function tokens(subject: string): string[] {
  return subject.split('.');
}

/** Whether every subject matched by `inner` is matched by `outer`. */
export function subjectCovers(outer: string, inner: string): boolean {
  const o = tokens(outer);
  const i = tokens(inner);
  for (let k = 0; k < o.length; k += 1) {
    const token = o[k]!;
    if (token === '>') return i.length > k;
    if (k >= i.length) return false;
    const other = i[k]!;
    if (token === '*') {
      if (other === '>') return false;
      continue;
    }
    if (token !== other) return false;
  }
  return o.length === i.length;
}

/** Whether some subject is matched by both patterns. */
export function subjectsOverlap(a: string, b: string): boolean {
  const x = tokens(a);
  const y = tokens(b);
  for (let k = 0; ; k += 1) {
    const p = x[k];
    const q = y[k];
    if (p === undefined || q === undefined) return p === q;
    if (p === '>' || q === '>') return true;
    if (p !== '*' && q !== '*' && p !== q) return false;
  }
}

/** Whether `subject` is a valid subject or pattern (no empty token, `>` last only). */
export function isValidSubject(subject: string): boolean {
  if (subject === '' || /\s/.test(subject)) return false;
  const parts = tokens(subject);
  return parts.every((token, k) => token !== '' && (token !== '>' || k === parts.length - 1) && (!token.includes('*') || token === '*') && (!token.includes('>') || token === '>'));
}

/** Whether one of `streamSubjects` captures every subject of `subject`. */
export function capturedBy(streamSubjects: readonly string[], subject: string): boolean {
  return streamSubjects.some((streamSubject) => subjectCovers(streamSubject, subject));
}
