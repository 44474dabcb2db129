import { createReadStream, mkdirSync, readFileSync, rmSync, writeFileSync, createWriteStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import pLimit from 'p-limit';
import { from as copyFrom } from 'pg-copy-streams';
import { PoolClient } from 'pg';
import {
  analyzeStaging, computeCrawlTimes, createPool, discoverSessions, downloadRows, inTransaction, IssueRowStats, issueRows, mergeStaged,
  ProblemList, readSql, resetStaging, scanSession, sessionFacts, stageProblems, stageSession, withRetry,
} from './loader';
import { addRows, emptyResult, RunResult } from './result';

/**
 * The database floor: what PostgreSQL needs for a corpus when the client costs nothing. The
 * loader's own code turns every session into the exact COPY text and staging rows it would
 * send (prepareFloor, before any timing); runFloor then replays only the database work of
 * src/ingest/session.ts — the same staging tables, COPY statements, ANALYZE and
 * src/sql/merge/*.sql in one transaction per session, with the same concurrency — streaming
 * the prepared files straight from disk into COPY.
 */

interface PreparedSession {
  identity: string;
  files: number;
  bytes: number;
  fileCopy: string;
  downloadCopy: string;
  sessionRow: object;
  problems: object[];
}

const TIMEZONE = 'Asia/Seoul';

/** Writes the staging data of every session under `root` (the first `limit`) to `dir`. */
export async function prepareFloor(root: string, dir: string, limit?: number): Promise<void> {
  const marker = join(dir, 'sessions.json');
  const corpus = readFileSync(join(root, 'corpus.json'), 'utf8');
  if (existsSync(marker)) {
    const prev = JSON.parse(readFileSync(marker, 'utf8')) as { corpus: string; limit?: number };
    if (prev.corpus === corpus && prev.limit === limit) return;
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const refs = (await discoverSessions(root)).slice(0, limit);
  const prepared: PreparedSession[] = [];
  for (const [i, ref] of refs.entries()) {
    const contents = await scanSession(ref.path);
    const problems = new ProblemList();
    const facts = await sessionFacts(ref, contents, 'unknown', problems);
    const stats: IssueRowStats = { staged: 0, rejected: 0, readMs: 0, bytes: 0 };
    const fileCopy = join(dir, `${i}.stage_file.copy`);
    const downloadCopy = join(dir, `${i}.stage_download.copy`);
    await writeChunks(fileCopy, issueRows(contents.issueFiles, facts.fallbackKey, problems, stats));
    await writeChunks(downloadCopy, downloadRows(contents.downloads, problems));
    const { fallbackKey: _unused, ...row } = facts;
    prepared.push({
      identity: ref.identity,
      files: contents.issueFiles.length,
      bytes: stats.bytes,
      fileCopy,
      downloadCopy,
      sessionRow: {
        ...row,
        status: stats.staged > 0 ? 'completed' : 'failed',
        attachments_downloaded: contents.downloads.length,
        failed_issues: stats.rejected,
        content_hash: contents.fingerprint,
      },
      problems: problems.toRows(),
    });
  }
  writeFileSync(join(dir, 'prepared.json'), JSON.stringify(prepared));
  writeFileSync(marker, JSON.stringify({ corpus, limit }));
}

async function writeChunks(path: string, chunks: AsyncIterable<string>): Promise<void> {
  const out = createWriteStream(path);
  for await (const chunk of chunks) {
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

async function copyFile(client: PoolClient, table: string, path: string): Promise<void> {
  await pipeline(createReadStream(path, { highWaterMark: 256 * 1024 }), client.query(copyFrom(`COPY ${table} FROM STDIN`)));
}

/** Replays the prepared sessions of `dir`, `concurrency` at a time. */
export async function runFloor(url: string, dir: string, concurrency: number): Promise<RunResult> {
  const prepared = JSON.parse(readFileSync(join(dir, 'prepared.json'), 'utf8')) as PreparedSession[];
  const pool = createPool({ connectionString: url, max: concurrency + 1 });
  const result = emptyResult();
  const limit = pLimit(concurrency);
  const started = performance.now();
  try {
    await Promise.all(
      prepared.map((s) =>
        limit(async () => {
          try {
            await withRetry(() => pool.query(readSql('queries/audit-partition.sql')));
            await withRetry(() => inTransaction(pool, async (client) => {
              await client.query("SELECT set_config('ims.source_timezone', $1, true), set_config('jit', 'off', true)", [TIMEZONE]);
              await resetStaging(client);
              const copyStart = performance.now();
              await copyFile(client, 'stage_file (file_no, rel_path, issue_id, crawl_order, crawled_key, doc)', s.fileCopy);
              await copyFile(client, 'stage_download (issue_id, file_name, rel_path, size_bytes, extracted_text)', s.downloadCopy);
              result.copyMs += performance.now() - copyStart;
              // (absent from builds older than src/sql/stage/crawled-at.sql, measured with IMS_BENCH_DIST)
              await computeCrawlTimes?.(client);
              await analyzeStaging(client);
              await stageSession(client, s.sessionRow);
              await stageProblems(client, s.problems);
              const mergeStart = performance.now();
              const merged = await mergeStaged(client);
              result.mergeMs += performance.now() - mergeStart;
              addRows(result, merged.rows);
            }));
            result.sessions++;
            result.files += s.files;
            result.bytes += s.bytes;
          } catch (err) {
            result.failures.push(`${s.identity}: ${(err as Error).message}`);
          }
        }),
      ),
    );
    result.wallMs = performance.now() - started;
  } finally {
    await pool.end();
  }
  return result;
}
