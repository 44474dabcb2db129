import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fixtureJson, S } from './fixtures';

/**
 * A crawler writing sessions the way the real one does: a per-user session folder, issue files
 * written one after the other in place, some in several writes with pauses (a reader can catch
 * them half-written). Issue ids are distinct per session, so the expected database does not
 * depend on which session's crawl of an issue wins.
 */

const TEMPLATE = fixtureJson(`${S.S1}/345001_20260103_120911.json`);

export interface SessionSpec {
  user: string;
  /** Session number: names the folder and the issue ids. */
  n: number;
  files: number;
  /** Bytes of description padding per file (bigger files, longer loads). */
  padding?: number;
}

export function sessionDir(root: string, spec: SessionSpec): string {
  const hh = String(10 + (spec.n % 12)).padStart(2, '0');
  const mm = String(spec.n % 60).padStart(2, '0');
  return join(root, 'users', spec.user, 'sessions', `OpenFrame_chaos_${spec.n}_20260201_${hh}${mm}00`);
}

/** The text of file `i` of a session, and its name. */
export function issueFile(spec: SessionSpec, i: number): { name: string; text: string } {
  const id = String(800000 + spec.n * 100 + i);
  const ss = String(i % 60).padStart(2, '0');
  const doc = {
    ...TEMPLATE,
    issue_id: id,
    title: `chaos ${spec.n}/${i}`,
    description: `${TEMPLATE.description} ${'x'.repeat(spec.padding ?? 0)}`,
    url: `https://ims.tmaxsoft.com/tody/ims/issue/issueView.do?issueId=${id}`,
    crawled_at: `2026-02-01T10:00:${ss}.000000`,
    crawl_order: i + 1,
    related_issues: [],
  };
  return { name: `${id}_20260201_1000${ss}.json`, text: JSON.stringify(doc, null, 2) };
}

/** Writes a whole session at once. */
export function writeSessionFolder(root: string, spec: SessionSpec): string {
  const dir = sessionDir(root, spec);
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < spec.files; i++) {
    const f = issueFile(spec, i);
    writeFileSync(join(dir, f.name), f.text);
  }
  return dir;
}

/** Writes a session file by file, every third file in two writes with a pause between. */
export async function crawlSession(root: string, spec: SessionSpec, pauseMs: number): Promise<void> {
  const dir = sessionDir(root, spec);
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < spec.files; i++) {
    const f = issueFile(spec, i);
    if (i % 3 === 2) {
      writeFileSync(join(dir, f.name), f.text.slice(0, f.text.length >> 1));
      await sleep(pauseMs);
    }
    writeFileSync(join(dir, f.name), f.text);
    await sleep(pauseMs);
  }
}
