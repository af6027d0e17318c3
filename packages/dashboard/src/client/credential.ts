/**
 * Where the tab keeps the cluster's client token (docs/security.md): its
 * sessionStorage, gone when the tab closes, never in a URL or a cookie.
 */
const TOKEN_KEY = 'rivulet.client-token';

export function storedToken(): string | undefined {
  try {
    return globalThis.sessionStorage?.getItem(TOKEN_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export function storeToken(token: string | undefined): void {
  try {
    if (token === undefined) globalThis.sessionStorage?.removeItem(TOKEN_KEY);
    else globalThis.sessionStorage?.setItem(TOKEN_KEY, token);
  } catch {
    // storage unavailable: the token is asked again next time
  }
}

/** The Authorization header of a request, when the tab has a token. */
export function credentialHeaders(): Record<string, string> {
  const token = storedToken();
  return token === undefined ? {} : { authorization: `Bearer ${token}` };
}
