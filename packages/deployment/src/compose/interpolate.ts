/**
 * Compose's variable interpolation (https://docs.docker.com/reference/compose-file/interpolation/)
 * of one string: `$VAR`, `${VAR}`, `${VAR:-default}` / `${VAR-default}`
 * (default when unset or empty / unset), `${VAR:?message}` / `${VAR?message}`
 * (an error), `${VAR:+alternative}` / `${VAR+alternative}`, defaults that
 * hold further `${…}`, and `$$` for a literal `$`.
 */
export class InterpolationError extends Error {
  override readonly name = 'InterpolationError';
}

export interface InterpolationResult {
  readonly value: string;
  /** Variables used without a value or a default (Compose warns and uses ""). */
  readonly unset: readonly string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** The index of the `}` closing the `${` at index `open`, counting nested `${…}`. */
function closingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text.startsWith('${', i)) {
      depth++;
      i++;
    } else if (text[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

export function interpolate(text: string, env: Readonly<Record<string, string | undefined>>, where = 'value'): InterpolationResult {
  const unset: string[] = [];
  const lookup = (name: string): string | undefined => env[name];
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char !== '$') {
      out += char;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i++;
      continue;
    }
    if (next !== '{') {
      const name = NAME.exec(text.slice(i + 1))?.[0];
      if (name === undefined) throw new InterpolationError(`${where}: "$" must start a variable ($NAME or \${NAME}) or be written "$$": ${JSON.stringify(text)}`);
      const value = lookup(name);
      if (value === undefined) unset.push(name);
      out += value ?? '';
      i += name.length;
      continue;
    }
    const close = closingBrace(text, i);
    if (close < 0) throw new InterpolationError(`${where}: unclosed "\${" in ${JSON.stringify(text)}`);
    const body = text.slice(i + 2, close);
    const name = NAME.exec(body)?.[0];
    if (name === undefined) throw new InterpolationError(`${where}: "\${${body}}" does not start with a variable name`);
    const rest = body.slice(name.length);
    const operator = /^(:?[-?+])?/.exec(rest)![0];
    if (operator === '' && rest !== '') throw new InterpolationError(`${where}: unsupported expression "\${${body}}"`);
    const argument = rest.slice(operator.length);
    const value = lookup(name);
    const present = operator.startsWith(':') ? value !== undefined && value !== '' : value !== undefined;
    const nested = (): string => {
      const inner = interpolate(argument, env, where);
      unset.push(...inner.unset);
      return inner.value;
    };
    switch (operator.replace(':', '')) {
      case '':
        if (value === undefined) unset.push(name);
        out += value ?? '';
        break;
      case '-':
        out += present ? value! : nested();
        break;
      case '+':
        out += present ? nested() : '';
        break;
      case '?':
        if (!present) throw new InterpolationError(`${where}: required variable ${name} is missing a value: ${nested()}`);
        out += value!;
        break;
    }
    i = close;
  }
  return { value: out, unset };
}
