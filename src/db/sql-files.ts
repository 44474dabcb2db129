import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The project's .sql files, read from src/sql/ in the package (this module sits two levels
 * below the package root both as src/db/*.ts and as dist/db/*.js).
 */
export const SQL_ROOT = resolve(__dirname, '..', '..', 'src', 'sql');

const cache = new Map<string, string>();

/** Text of `src/sql/<relPath>`. */
export function readSql(relPath: string): string {
  let text = cache.get(relPath);
  if (text === undefined) {
    text = readFileSync(join(SQL_ROOT, relPath), 'utf8');
    cache.set(relPath, text);
  }
  return text;
}

/** `src/sql/<dir>/*.sql` names, in order. */
export function listSql(dir: string): string[] {
  return readdirSync(join(SQL_ROOT, dir))
    .filter((name) => name.endsWith('.sql'))
    .sort();
}
