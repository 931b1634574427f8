/**
 * Glob matching for push rules (appendices, "Glob-style matching": `*` is any run of characters,
 * `?` exactly one), case-insensitive per code point. Patterns come from clients, so they are
 * never compiled to regular expressions: the matcher simulates the pattern's automaton over the
 * value, which costs O(value × pattern) whatever the pattern looks like.
 */

export interface GlobOptions {
  /**
   * Match any substring that starts and ends at a word boundary instead of the whole value
   * (the spec's rule for `content.body`). A boundary is the start or end of the value or any
   * character outside `[A-Za-z0-9_]`; as in Synapse, a substring may also begin or end with
   * such a character itself, so `@room` matches `hi@room`.
   */
  readonly wordBoundary?: boolean;
  /** Treat `*` and `?` as ordinary characters (display names). */
  readonly literal?: boolean;
}

const STAR = 1;
const ANY = 2;
const WORD_CHAR = /^[A-Za-z0-9_]$/;

export function globMatches(pattern: string, value: string, options: GlobOptions = {}): boolean {
  const literal = options.literal === true;
  const pat = Array.from(pattern, (ch) => ch.toLowerCase());
  const special = pat.map((ch) => (literal ? 0 : ch === '*' ? STAR : ch === '?' ? ANY : 0));
  const chars = Array.from(value);
  const lower = chars.map((ch) => ch.toLowerCase());
  if (!special.some((s) => s !== 0)) {
    const needle = pat.join('');
    if (!options.wordBoundary) return needle === lower.join('');
    if (!lower.join('').includes(needle)) return false;
  }
  const m = pat.length;
  const boundary = (i: number): boolean => i < 0 || i >= chars.length || !WORD_CHAR.test(chars[i] ?? '');

  // `states[k]` = the first k pattern characters match the text consumed so far.
  const add = (states: Uint8Array, k: number): void => {
    for (let j = k; j <= m && states[j] !== 1; j++) {
      states[j] = 1;
      if (special[j] !== STAR) break;
    }
  };
  let states = new Uint8Array(m + 1);
  if (!options.wordBoundary) add(states, 0);
  for (let i = 0; i <= chars.length; i++) {
    if (options.wordBoundary) {
      if (boundary(i - 1) || boundary(i)) add(states, 0);
      if (states[m] === 1 && (boundary(i - 1) || boundary(i))) return true;
    }
    if (i === chars.length) break;
    const next = new Uint8Array(m + 1);
    let alive = false;
    for (let k = 0; k < m; k++) {
      if (states[k] !== 1) continue;
      if (special[k] === STAR) add(next, k);
      else if (special[k] === ANY || pat[k] === lower[i]) add(next, k + 1);
      else continue;
      alive = true;
    }
    if (!alive && !options.wordBoundary) return false;
    states = next;
  }
  return !options.wordBoundary && states[m] === 1;
}
