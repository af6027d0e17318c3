import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigurationError, errorMessage } from '../errors.js';

/** Shortest token accepted: 16 characters (e.g. `openssl rand -hex 16` gives 32). */
const MIN_TOKEN_LENGTH = 16;
const TOKEN_CHARACTERS = /^[\x21-\x7e]+$/;

/**
 * The client credential of a cluster: a secret string sent as
 * `authorization: Bearer <token>` (gRPC metadata or HTTP header).
 *
 * Invariants: the secret never leaves this object except through `header()`
 * (what a client sends); `toString`, `toJSON` and Node's inspection print
 * `[redacted]`, so a token that ends up in a log line, an error or a JSON
 * answer by mistake shows nothing. `matches` compares in constant time
 * (SHA-256 digests of both sides through `timingSafeEqual`, so neither the
 * content nor the length of the expected token leaks through timing).
 */
export class BearerToken {
  readonly #secret: string;
  readonly #digest: Buffer;

  private constructor(secret: string) {
    this.#secret = secret;
    this.#digest = digest(secret);
  }

  /**
   * The token from `security.auth.token` (the environment variable
   * RIVULET_SECURITY_AUTH_TOKEN is the same key) or from the file named by
   * `security.auth.token-file` (surrounding whitespace and the final newline
   * ignored); undefined when neither is set. Both set, an unreadable file, or
   * a token shorter than 16 characters or with spaces or control characters
   * are ConfigurationErrors naming the key (never the token).
   */
  static fromConfig(config: { readonly 'security.auth.token': string | null; readonly 'security.auth.token-file': string | null }): BearerToken | undefined {
    const inline = config['security.auth.token'];
    const file = config['security.auth.token-file'];
    if (inline !== null && file !== null) {
      throw new ConfigurationError('set either "security.auth.token" or "security.auth.token-file", not both', { key: 'security.auth.token-file' });
    }
    if (inline !== null) return BearerToken.of(inline.trim(), 'security.auth.token');
    if (file === null) return undefined;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new ConfigurationError(`"security.auth.token-file": cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : errorMessage(err)}`, { key: 'security.auth.token-file', cause: err });
    }
    return BearerToken.of(text.trim(), `security.auth.token-file (${file})`);
  }

  /** A token from its text; `source` names where it came from in errors. */
  static of(secret: string, source = 'token'): BearerToken {
    if (secret.length < MIN_TOKEN_LENGTH) {
      throw new ConfigurationError(`${source}: a token must have at least ${MIN_TOKEN_LENGTH} characters (it has ${secret.length})`, { key: source });
    }
    if (!TOKEN_CHARACTERS.test(secret)) {
      throw new ConfigurationError(`${source}: a token may hold printable ASCII characters only, without spaces`, { key: source });
    }
    return new BearerToken(secret);
  }

  /** The value of the `authorization` header or metadata a client sends. */
  header(): string {
    return `Bearer ${this.#secret}`;
  }

  /** Whether an `authorization` value carries this token (`Bearer <token>`, scheme case-insensitive). */
  matches(authorization: string | undefined): boolean {
    if (authorization === undefined) return false;
    const match = /^bearer[ \t]+(.*)$/i.exec(authorization.trim());
    const offered = digest(match?.[1] ?? '');
    // Compared even when the scheme is wrong, so that case costs the same time.
    return timingSafeEqual(offered, this.#digest) && match !== null;
  }

  toString(): string {
    return '[redacted]';
  }

  toJSON(): string {
    return '[redacted]';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return 'BearerToken([redacted])';
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
