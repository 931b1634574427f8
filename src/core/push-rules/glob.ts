/**
 * Glob matching for push rules (appendices, "Glob-style matching": `*` is any run of characters,
 * `?` exactly one), case-insensitive per code point. Patterns come from clients, so they are
 * never compiled to regular expressions: the matcher runs the pattern's automaton over the value
 * with every live state held in one bit set, so each character of the value costs a fixed number
 * of word operations (one per 32 pattern positions), whatever the pattern looks like. Patterns
 * are capped at MAX_PUSH_PATTERN_LENGTH (validate.ts), so matching is linear in the value.
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
  /**
   * Work the caller still allows, in word operations; each character of the value uses one per
   * 32 pattern positions. A match that would overspend it is abandoned as no match.
   */
  readonly budget?: GlobBudget;
}

export interface GlobBudget {
  remaining: number;
}

const WORD_CHAR = /^[A-Za-z0-9_]$/;

/** The pattern as bit masks over its positions (a run of `*` is one `*`). */
interface Automaton {
  /** Pattern length: state `m` (every character consumed) accepts. */
  readonly m: number;
  /** 32-bit words per state set. */
  readonly words: number;
  /** Positions holding `*` (a state there stays live on any character). */
  readonly stars: Uint32Array;
  /** Positions holding `?`: they advance on any character. */
  readonly any: Uint32Array;
  /** For each lower-cased character of the pattern, the positions it (or `?`) advances. */
  readonly byChar: ReadonlyMap<string, Uint32Array>;
  readonly literalOnly: boolean;
  readonly text: string;
}

export function globMatches(pattern: string, value: string, options: GlobOptions = {}): boolean {
  const automaton = compile(pattern, options.literal === true);
  const chars = Array.from(value);
  if (automaton.literalOnly) {
    const lowered = chars.map((ch) => ch.toLowerCase()).join('');
    if (!options.wordBoundary) return automaton.text === lowered;
    if (!lowered.includes(automaton.text)) return false;
  }
  const { m, words, stars } = automaton;
  const budget = options.budget;
  const boundary = (i: number): boolean => i < 0 || i >= chars.length || !WORD_CHAR.test(chars[i] ?? '');
  const accepting = (set: Uint32Array): boolean => ((set[m >>> 5] ?? 0) & (1 << (m & 31))) !== 0;

  let states = new Uint32Array(words);
  let next = new Uint32Array(words);
  if (!options.wordBoundary) enter(states, stars);
  for (let i = 0; i <= chars.length; i++) {
    if (options.wordBoundary && (boundary(i - 1) || boundary(i))) {
      enter(states, stars);
      if (accepting(states)) return true;
    }
    if (i === chars.length) break;
    if (budget !== undefined && (budget.remaining -= words) < 0) return false;
    const advance = automaton.byChar.get(chars[i]?.toLowerCase() ?? '') ?? automaton.any;
    // next = ((states & advance) << 1) | (states & stars), then the empty match of a `*`.
    let carry = 0;
    let alive = 0;
    for (let w = 0; w < words; w++) {
      const moved = (states[w] ?? 0) & (advance[w] ?? 0);
      const word = ((moved << 1) | carry | ((states[w] ?? 0) & (stars[w] ?? 0))) >>> 0;
      carry = moved >>> 31;
      next[w] = word;
      alive |= word;
    }
    closeOverStars(next, stars);
    if (alive === 0 && !options.wordBoundary) return false;
    [states, next] = [next, states];
  }
  return !options.wordBoundary && accepting(states);
}

function compile(pattern: string, literal: boolean): Automaton {
  const pat: string[] = [];
  for (const ch of pattern) {
    const lower = ch.toLowerCase();
    if (!literal && lower === '*' && pat[pat.length - 1] === '*') continue;
    pat.push(lower);
  }
  const m = pat.length;
  const words = (m >>> 5) + 1;
  const stars = new Uint32Array(words);
  const any = new Uint32Array(words);
  const byChar = new Map<string, Uint32Array>();
  const set = (mask: Uint32Array, k: number): void => {
    mask[k >>> 5] = ((mask[k >>> 5] ?? 0) | (1 << (k & 31))) >>> 0;
  };
  pat.forEach((ch, k) => {
    if (!literal && ch === '*') set(stars, k);
    else if (!literal && ch === '?') set(any, k);
  });
  pat.forEach((ch, k) => {
    if (!literal && (ch === '*' || ch === '?')) return;
    let mask = byChar.get(ch);
    if (mask === undefined) byChar.set(ch, (mask = Uint32Array.from(any)));
    set(mask, k);
  });
  const literalOnly = literal || !pat.some((ch) => ch === '*' || ch === '?');
  return { m, words, stars, any, byChar, literalOnly, text: pat.join('') };
}

/** Make state 0 live (a match may start here), with the empty match of a leading `*`. */
function enter(states: Uint32Array, stars: Uint32Array): void {
  states[0] = ((states[0] ?? 0) | 1) >>> 0;
  closeOverStars(states, stars);
}

/** A live `*` position also makes the position after it live (runs of `*` were collapsed). */
function closeOverStars(states: Uint32Array, stars: Uint32Array): void {
  let carry = 0;
  for (let w = 0; w < states.length; w++) {
    const atStar = (states[w] ?? 0) & (stars[w] ?? 0);
    states[w] = ((states[w] ?? 0) | (atStar << 1) | carry) >>> 0;
    carry = atStar >>> 31;
  }
}
