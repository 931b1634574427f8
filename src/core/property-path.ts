/**
 * Dot-separated property paths (appendices): `content.m\.relates_to.rel_type`. `\.` is a dot
 * and `\\` a backslash inside a name; any other backslash stands for itself.
 */

export function parsePropertyPath(path: string): string[] {
  const names: string[] = [];
  let current = '';
  for (let i = 0; i < path.length; i++) {
    const ch = path[i];
    const next = path[i + 1];
    if (ch === '\\' && (next === '.' || next === '\\')) {
      current += next;
      i++;
    } else if (ch === '.') {
      names.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  names.push(current);
  return names;
}

/**
 * The value at `path` in `root`, or undefined when a step is missing or passes through
 * something that is not an object. Only own properties count (`__proto__` names nothing).
 */
export function propertyAt(root: unknown, path: string): unknown {
  let current: unknown = root;
  for (const name of parsePropertyPath(path)) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    if (!Object.hasOwn(current, name)) return undefined;
    current = (current as Record<string, unknown>)[name];
  }
  return current;
}
