/** Reads a state resolution vector file of test/fixtures/state-res (see its README). */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export function loadStateResVectors<T>(name: string): T {
  return JSON.parse(readFileSync(path.join(import.meta.dirname, '../fixtures/state-res', name), 'utf8')) as T;
}
