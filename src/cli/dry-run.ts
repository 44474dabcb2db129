import { discoverSessions, SessionRef } from '../files/discover';
import { downloadRows, issueRows, IssueRowStats } from '../files/file-rows';
import { Problem, ProblemList } from '../files/session-errors';
import { sessionFacts } from '../files/session-row';
import { scanSession } from '../files/session-folder';
import { describeError } from '../errors';

/**
 * `backfill --dry-run` (and `watch --dry-run`): what a load would read and what is wrong in the
 * files, without a database. Every session goes through the same readers as a load (scan,
 * session facts, the issue and download row generators), whose rows are counted and dropped;
 * the problems are the ones a load would record in ims.session_errors. Whether a session is
 * unchanged since its last load is a database question, so every session is read.
 */

export interface DryRunSession {
  session: string;
  user?: string;
  issueFiles: number;
  readable: number;
  unreadable: number;
  /** Pages the crawler saved after its IMS login had expired (not loaded, not unreadable). */
  loginExpired: number;
  downloads: number;
  bytes: number;
  errors: number;
  warnings: number;
  problems: Pick<Problem, 'severity' | 'error_type' | 'message' | 'file_path'>[];
  /** Why the folder could not be read at all. */
  failure?: string;
}

export interface DryRunReport {
  root: string;
  sessions: DryRunSession[];
  elapsedMs: number;
}

export async function dryRun(
  root: string,
  defaultUser: string,
  onSession?: (s: DryRunSession, ref: SessionRef) => void,
  onStart?: (refs: SessionRef[]) => void,
): Promise<DryRunReport> {
  const started = performance.now();
  const refs = await discoverSessions(root);
  onStart?.(refs);
  const sessions: DryRunSession[] = [];
  for (const ref of refs) {
    const s = await readSession(ref, defaultUser);
    sessions.push(s);
    onSession?.(s, ref);
  }
  return { root, sessions, elapsedMs: performance.now() - started };
}

async function readSession(ref: SessionRef, defaultUser: string): Promise<DryRunSession> {
  const problems = new ProblemList();
  const result: DryRunSession = {
    session: ref.identity,
    user: ref.user,
    issueFiles: 0,
    readable: 0,
    unreadable: 0,
    loginExpired: 0,
    downloads: 0,
    bytes: 0,
    errors: 0,
    warnings: 0,
    problems: [],
  };
  try {
    const contents = await scanSession(ref.path);
    result.issueFiles = contents.issueFiles.length;
    result.downloads = contents.downloads.length;
    const facts = await sessionFacts(ref, contents, defaultUser, problems);
    const stats: IssueRowStats = { staged: 0, rejected: 0, readMs: 0, bytes: 0 };
    for await (const _row of issueRows(contents.issueFiles, facts.fallbackKey, problems, stats)) void _row;
    for await (const _row of downloadRows(contents.downloads, problems)) void _row;
    // Pages saved after the crawler's login expired are failed issues of the crawl, not unreadable files (as in a load).
    const expired = stats.loginExpired ?? 0;
    Object.assign(result, {
      readable: stats.staged,
      unreadable: stats.rejected - expired,
      loginExpired: expired,
      bytes: stats.bytes,
    });
    if (stats.staged === 0) {
      problems.add({
        error_key: 'crawl:failed',
        error_type: 'crawling',
        severity: 'error',
        detail: null,
        file_path: null,
        occurred_raw: null,
        message: contents.failureMarkers.length
          ? 'the crawl found no issues (failure markers in the folder)'
          : 'no readable issue file: the session would load as a failed crawl',
      });
    }
  } catch (err) {
    result.failure = describeError(err);
  }
  result.errors = problems.errors;
  result.warnings = problems.warnings;
  result.problems = problems.items.map((p) => ({
    severity: p.severity,
    error_type: p.error_type,
    message: p.message,
    file_path: p.file_path,
  }));
  return result;
}

export function formatDryRun(r: DryRunReport): string {
  const sum = (f: (s: DryRunSession) => number) => r.sessions.reduce((a, s) => a + f(s), 0);
  const lines = [
    `Dry run of ${r.root} (nothing written)`,
    `  sessions:    ${r.sessions.length} found, ${r.sessions.filter((s) => s.failure).length} could not be read`,
    `  issue files: ${sum((s) => s.issueFiles)} found, ${sum((s) => s.readable)} readable, ${sum((s) => s.unreadable)} unreadable; ${sum((s) => s.downloads)} downloads`,
    `  problems:    ${sum((s) => s.errors)} errors, ${sum((s) => s.warnings)} warnings would be recorded in ims.session_errors`,
    `  read:        ${(sum((s) => s.bytes) / 1e6).toFixed(1)} MB in ${(r.elapsedMs / 1000).toFixed(2)}s`,
  ];
  const bad = r.sessions.filter((s) => s.failure || s.problems.some((p) => p.severity !== 'info'));
  if (bad.length) lines.push('Problems:');
  for (const s of bad) {
    lines.push(`  ${s.session}${s.failure ? `: cannot be read: ${s.failure}` : ''}`);
    for (const p of s.problems.filter((x) => x.severity !== 'info'))
      lines.push(`    ${p.severity.padEnd(7)} ${p.file_path ?? '(session)'}: ${p.message}`);
  }
  return lines.join('\n');
}

/** Exit status of a dry run: 1 when a load would leave a file unread or fail a session. */
export function dryRunSucceeded(r: DryRunReport): boolean {
  return r.sessions.every((s) => !s.failure && s.unreadable === 0);
}
