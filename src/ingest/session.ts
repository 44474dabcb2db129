import { createHash } from 'node:crypto';
import { Pool } from 'pg';
import { describeError, IngestError } from '../errors';
import { inTransaction, withRetry } from '../db/pool';
import { SessionRef } from '../files/discover';
import { sessionFacts } from '../files/session-row';
import { downloadRows, issueRows, IssueRowStats } from '../files/file-rows';
import { mergeStaged } from '../db/merge';
import { claimCrawl } from '../db/crawl-copy';
import { ProblemList } from '../files/session-errors';
import { scanSession, SessionContents } from '../files/session-folder';
import { listSql, readSql } from '../db/sql-files';
import { analyzeStaging, computeCrawlTimes, copyRows, resetStaging, stageProblems, stageSession } from '../db/stage';

/**
 * Ingesting one session folder: scan, stage through COPY, merge; one transaction, retried
 * whole on a deadlock or a lost connection (re-reading the files is cheap, and a retry sees
 * the folder as it is then).
 */

export interface IngestOptions {
  timezone: string;
  defaultUser: string;
  /** Ingest even when the folder is unchanged since its last ingest. */
  force?: boolean;
  onRetry?: (ref: SessionRef, attempt: number, err: unknown) => void;
}

export interface SessionOutcome {
  ref: SessionRef;
  result: 'ingested' | 'unchanged' | 'failed';
  status?: 'completed' | 'failed';
  sessionId?: string;
  issueFiles: number;
  staged: number;
  /** Issue files that could not be read (the crawler's expired-login pages are failed issues of the crawl instead). */
  rejected: number;
  errors: number;
  warnings: number;
  /** Rows written per merge step (see src/sql/merge). */
  rows: Record<string, number>;
  timings: { readMs: number; copyMs: number; mergeMs: number; totalMs: number };
  bytes: number;
  /** Why the session failed (result 'failed'). */
  failure?: string;
}

// Changes with the code that turns files into rows, so upgrading ims-ingest re-ingests.
const LOADER_FINGERPRINT = createHash('sha256')
  .update(['stage', 'merge'].flatMap((d) => listSql(d).map((f) => readSql(`${d}/${f}`))).join('\0'))
  .update(String(require('../../package.json').version))
  .digest('hex');

export async function ingestSession(pool: Pool, ref: SessionRef, options: IngestOptions): Promise<SessionOutcome> {
  const started = performance.now();
  const outcome: SessionOutcome = {
    ref, result: 'failed', issueFiles: 0, staged: 0, rejected: 0, errors: 0, warnings: 0, rows: {},
    timings: { readMs: 0, copyMs: 0, mergeMs: 0, totalMs: 0 }, bytes: 0,
  };
  try {
    const contents = await scanSession(ref.path);
    outcome.issueFiles = contents.issueFiles.length;
    const contentHash = createHash('sha256')
      // The default user only names shared-layout sessions; elsewhere changing it changes nothing.
      // The path too: a folder moved or loaded from another copy of the dump updates data_path.
      .update(`${contents.fingerprint}\0${ref.path}\0${options.timezone}\0${ref.layout === 'shared' ? options.defaultUser : ''}\0${LOADER_FINGERPRINT}`)
      .digest('hex');
    if (!options.force) {
      const prev = await pool.query<{ content_hash: string }>(readSql('queries/session-hash.sql'), [ref.uuid]);
      if (prev.rows[0]?.content_hash === contentHash) {
        outcome.result = 'unchanged';
        return outcome;
      }
    }
    await withRetry(() => pool.query(readSql('queries/audit-partition.sql')));
    await withRetry(
      () =>
        inTransaction(pool, async (client) => {
          const problems = new ProblemList();
          const stats: IssueRowStats = { staged: 0, rejected: 0, readMs: 0, bytes: 0 };
          // JIT compiles for ~0.5 s per statement on plans over unanalysed temp tables: a
          // loss on every statement of a merge.
          await client.query("SELECT set_config('ims.source_timezone', $1, true), set_config('jit', 'off', true)", [options.timezone]);
          await resetStaging(client);
          const facts = await sessionFacts(ref, contents, options.defaultUser, problems);
          // Another copy of this crawl, a better one, may be what its row says (src/files/crawl-copy.ts).
          const claim = await claimCrawl(client, ref, contents, { name: facts.user_name, fromCopy: facts.metadata.user_from !== 'default' }, { contentHash, force: options.force });
          if (claim === 'unchanged') {
            outcome.result = 'unchanged';
            return;
          }

          const copyStart = performance.now();
          await copyRows(
            client,
            'stage_file (file_no, rel_path, issue_id, crawl_order, crawled_key, doc)',
            issueRows(contents.issueFiles, facts.fallbackKey, problems, stats),
          );
          await copyRows(client, 'stage_download (issue_id, file_name, rel_path, size_bytes, extracted_text)', downloadRows(contents.downloads, problems));
          const copyMs = performance.now() - copyStart;
          await computeCrawlTimes(client);
          await analyzeStaging(client);

          const status = stats.staged > 0 ? 'completed' : 'failed';
          if (status === 'failed') problems.add(failureProblem(contents, stats.rejected));
          for (const name of contents.unrecognized) {
            problems.add({
              error_key: `skipped:${name}`, error_type: 'reading', severity: 'info',
              message: `${name}: a .json file that is not an issue file (<issue_id>_<YYYYMMDD_HHMMSS>.json); not loaded`,
              detail: null, file_path: `${ref.path}/${name}`, occurred_raw: null,
            });
          }
          const { fallbackKey: _unused, ...sessionRow } = facts;
          await stageSession(client, {
            ...sessionRow,
            status,
            attachments_downloaded: contents.downloads.length,
            failed_issues: stats.rejected,
            content_hash: contentHash,
            secondary: claim === 'lesser',
          });
          await stageProblems(client, problems.toRows());

          const mergeStart = performance.now();
          const merged = await mergeStaged(client);
          Object.assign(outcome, {
            result: 'ingested', status, sessionId: merged.sessionId, staged: stats.staged,
            rejected: stats.rejected - (stats.loginExpired ?? 0), errors: problems.errors, warnings: problems.warnings,
            rows: merged.rows, bytes: stats.bytes,
          });
          outcome.timings.readMs = stats.readMs;
          outcome.timings.copyMs = copyMs - stats.readMs;
          outcome.timings.mergeMs = performance.now() - mergeStart;
        }),
      { onRetry: (attempt, err) => options.onRetry?.(ref, attempt, err) },
    );
  } catch (err) {
    outcome.result = 'failed';
    outcome.failure = err instanceof IngestError ? err.message : `${ref.identity}: ${describeError(err)}`;
  } finally {
    outcome.timings.totalMs = performance.now() - started;
  }
  return outcome;
}

function failureProblem(contents: SessionContents, rejected: number) {
  const markers = contents.failureMarkers.map((m) => m.relPath);
  const message =
    markers.length > 0
      ? `the crawl found no issues: the crawler left ${markers.join(', ')}`
      : contents.issueFiles.length === 0
        ? 'the session folder holds no issue file'
        : `none of the ${rejected} issue files could be read`;
  const stamps = contents.failureMarkers.map((m) => m.timestamp).filter((t): t is string => !!t).sort();
  return {
    error_key: 'crawl:failed',
    error_type: 'crawling' as const,
    severity: 'error' as const,
    message,
    detail: { failure_markers: markers, issue_files: contents.issueFiles.length },
    file_path: null,
    occurred_raw: stamps[0] ?? null,
  };
}
