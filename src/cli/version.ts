import { readFileSync } from 'node:fs';

/**
 * The version in Hearth's package.json. Looked up from this module's location, since it runs both
 * from src/cli/ (tests) and bundled into dist/bundle/ (the `hearth` command): one or two levels
 * below the package root, never more than four.
 */
export function hearthVersion(): string {
  for (let up = '../'; up.length <= 4 * 3; up += '../') {
    try {
      const pkg = JSON.parse(readFileSync(new URL(`${up}package.json`, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'hearth' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not at this level
    }
  }
  return 'unknown';
}
