import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Fresh temp directories for unit tests (never fixtures/): each test file gets its own, removed
 * after the file's tests.
 */
export function tempDirs(prefix: string): { make(): string; file(content: string | Buffer): string; cleanup(): void } {
  const made: string[] = [];
  const make = (): string => {
    const dir = mkdtempSync(join(tmpdir(), `ims-unit-${prefix}-`));
    made.push(dir);
    return dir;
  };
  return {
    make,
    /** A file holding `content` in a fresh directory; returns its path. */
    file(content) {
      const path = join(make(), 'issue.json');
      writeFileSync(path, content);
      return path;
    },
    cleanup() {
      for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Writes `files` (relative path -> content) under `root`. A path ending in `/` is an empty
 * directory. Every file gets the same whole-second mtime, so a test can set it back exactly.
 */
export function writeTree(root: string, files: Record<string, string | Buffer>, mtime: Date = FIXED_MTIME): void {
  for (const [rel, content] of Object.entries(files)) {
    const abs = join(root, rel);
    if (rel.endsWith('/')) {
      mkdirSync(abs, { recursive: true });
      continue;
    }
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, content);
    utimesSync(abs, mtime, mtime);
  }
}

export const FIXED_MTIME = new Date('2026-01-03T03:09:00.000Z');
