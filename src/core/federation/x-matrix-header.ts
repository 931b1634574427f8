/**
 * The `Authorization: X-Matrix ...` header of server-server requests (server-server API,
 * "Request Authentication"): RFC 9110 section 11.4 credentials, an auth scheme then
 * comma-separated `name=value` parameters, a value a token or a quoted string with backslash
 * escapes. Names are case-insensitive; unknown names are ignored.
 */

export interface XMatrixCredentials {
  origin: string;
  /** Absent in requests from servers older than spec v1.3. */
  destination?: string;
  /** The signing key ID, `ed25519:<version>`. */
  key: string;
  sig: string;
}

/** RFC 9110 tchar; ':' too, which the spec asks recipients to accept unquoted from older senders. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z:]+/;
/** Optional whitespace: spaces and tabs. */
const OWS = /^[ \t]*/;

/**
 * Parses one header value. Undefined when the scheme is not X-Matrix (in any case), the
 * grammar is broken, a parameter repeats, or origin, key or sig is missing.
 */
export function parseXMatrixHeader(value: string): XMatrixCredentials | undefined {
  const scheme = /^X-Matrix +/i.exec(value);
  if (!scheme) return undefined;
  const params = parseParams(value.slice(scheme[0].length));
  if (!params) return undefined;
  const [origin, destination, key, sig] = ['origin', 'destination', 'key', 'sig'].map((n) => params.get(n));
  if (origin === undefined || key === undefined || sig === undefined) return undefined;
  return destination === undefined ? { origin, key, sig } : { origin, destination, key, sig };
}

function parseParams(text: string): Map<string, string> | undefined {
  const params = new Map<string, string>();
  let rest = text;
  for (;;) {
    const name = TOKEN.exec(rest);
    if (!name) return undefined;
    rest = skipOws(rest.slice(name[0].length));
    if (!rest.startsWith('=')) return undefined;
    rest = skipOws(rest.slice(1));
    const value = rest.startsWith('"') ? quotedString(rest) : token(rest);
    if (value === undefined) return undefined;
    rest = rest.slice(value.length);
    const lower = name[0].toLowerCase();
    // A repeated parameter is ambiguous: refuse rather than pick one.
    if (params.has(lower)) return undefined;
    params.set(lower, value.value);
    rest = skipOws(rest);
    if (rest === '') return params;
    if (!rest.startsWith(',')) return undefined;
    rest = skipOws(rest.slice(1));
  }
}

interface ParamValue {
  value: string;
  /** Characters consumed, quotes included when quoted. */
  length: number;
}

/** A quoted-string at the start of `text`: qdtext, or a backslash and the character it escapes. */
function quotedString(text: string): ParamValue | undefined {
  let value = '';
  for (let i = 1; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '"') return { value, length: i + 1 };
    if (c === '\\') {
      i++;
      if (i >= text.length) return undefined;
      value += text[i];
    } else if (c < ' ' && c !== '\t') {
      return undefined;
    } else {
      value += c;
    }
  }
  return undefined;
}

function token(text: string): ParamValue | undefined {
  const match = TOKEN.exec(text);
  return match ? { value: match[0], length: match[0].length } : undefined;
}

function skipOws(text: string): string {
  return text.slice((OWS.exec(text) as RegExpExecArray)[0].length);
}

/**
 * The header value we send: one space after the scheme, lower-case names, every value quoted,
 * no whitespace around commas, as the spec asks senders to do for older recipients.
 */
export function formatXMatrixHeader(credentials: XMatrixCredentials): string {
  const params: [string, string | undefined][] = [
    ['origin', credentials.origin],
    ['destination', credentials.destination],
    ['key', credentials.key],
    ['sig', credentials.sig],
  ];
  const parts = params.filter(([, v]) => v !== undefined).map(([n, v]) => `${n}=${quote(v as string)}`);
  return `X-Matrix ${parts.join(',')}`;
}

function quote(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}
