import { Pool, PoolClient } from 'pg';
import { inTransaction } from './pool';
import { claimCrawl, CrawlCopy } from './crawl-copy';
import { mergeStaged } from './merge';
import { readSql } from './sql-files';
import { analyzeStaging, computeCrawlTimes, copyRows, resetStaging, stageProblems, stageSession } from './stage';

/**
 * Writing a session (rows -> database): one transaction that claims the session, skips it when
 * its content is already loaded, stages its rows through COPY and merges them. The rows come
 * from readSession (src/ingest/read-session.ts) or from anything else that produces the same
 * COPY text (the benchmark's floor replays prepared files).
 */

export interface SessionRows {
  /** Names the session in messages. */
  identity: string;
  uuid: string;
  /** Compared with crawl_sessions.content_hash: equal means already loaded. */
  contentHash: string;
  /** Which copy of its crawl this folder is (src/db/crawl-copy.ts). */
  copy: CrawlCopy;
  /** stage_file (file_no, rel_path, issue_id, crawl_order, crawled_key, doc) COPY text. */
  fileRows: AsyncIterable<string | Buffer>;
  /** stage_download (issue_id, file_name, rel_path, size_bytes, extracted_text) COPY text. */
  downloadRows: AsyncIterable<string | Buffer>;
  /** The crawl_sessions row and the problem rows, asked for after the COPY rows (they depend on what was read). */
  sessionRow(): object;
  problemRows(): object[];
}

export interface WriteOptions {
  timezone: string;
  /** Load even when the content hash says it is loaded. */
  force?: boolean;
  /**
   * Another process loading the same session: 'skip' returns 'claimed' at once, 'wait' waits
   * for it to finish (then usually finds the session unchanged), 'none' takes no claim.
   */
  claim?: 'skip' | 'wait' | 'none';
  /** Do everything, then roll back: does PostgreSQL accept these rows? */
  rollback?: boolean;
}

export interface WriteResult {
  result: 'ingested' | 'unchanged' | 'claimed';
  sessionId?: string;
  /** Rows written per merge step (see src/sql/merge). */
  rows: Record<string, number>;
  copyMs: number;
  mergeMs: number;
}

export async function writeSession(pool: Pool, session: SessionRows, options: WriteOptions): Promise<WriteResult> {
  const out: WriteResult = { result: 'unchanged', rows: {}, copyMs: 0, mergeMs: 0 };
  // Most sessions of a pass are unchanged: one query says so, without a transaction or a
  // claim (an equal hash is final; a different one is checked again under the claim).
  if (!options.force && (await loadedHash(pool, session.uuid)) === session.contentHash) return out;
  // Its own short transaction before the session's: see the file's header.
  if (!options.rollback) await pool.query(readSql('queries/audit-partition.sql'));
  await inTransaction(
    pool,
    async (client) => {
      // JIT compiles for ~0.5 s per statement on plans over unanalysed temp tables: a
      // loss on every statement of a merge.
      await client.query("SELECT set_config('ims.source_timezone', $1, true), set_config('jit', 'off', true)", [
        options.timezone,
      ]);
      const claim = options.claim ?? 'skip';
      if (claim !== 'none') {
        const { rows } = await client.query<{ claimed: boolean }>(
          readSql(`claim/${claim === 'wait' ? 'wait' : 'try'}.sql`),
          [session.uuid],
        );
        if (!rows[0]?.claimed) {
          out.result = 'claimed';
          return;
        }
      }
      // Under the claim: a process that loaded this content a moment ago has committed by now.
      if (!options.force && (await loadedHash(client, session.uuid)) === session.contentHash) return;
      // Another copy of this crawl, a better one, may be what its row says.
      const crawl = await claimCrawl(client, session.uuid, session.copy, {
        contentHash: session.contentHash,
        force: options.force,
      });
      if (crawl === 'unchanged') return;
      await resetStaging(client);
      const copyStart = performance.now();
      await copyRows(
        client,
        'stage_file (file_no, rel_path, issue_id, crawl_order, crawled_key, doc)',
        session.fileRows,
      );
      await copyRows(
        client,
        'stage_download (issue_id, file_name, rel_path, size_bytes, extracted_text)',
        session.downloadRows,
      );
      out.copyMs = performance.now() - copyStart;
      await computeCrawlTimes(client);
      await analyzeStaging(client);
      await stageSession(client, { ...session.sessionRow(), secondary: crawl === 'lesser' });
      await stageProblems(client, session.problemRows());
      const mergeStart = performance.now();
      const merged = await mergeStaged(client);
      out.mergeMs = performance.now() - mergeStart;
      Object.assign(out, { result: 'ingested', sessionId: merged.sessionId, rows: merged.rows });
    },
    { rollback: options.rollback },
  );
  return out;
}

/** The content_hash of the session's last load, if any. */
async function loadedHash(db: Pool | PoolClient, uuid: string): Promise<string | undefined> {
  const { rows } = await db.query<{ content_hash: string }>(readSql('queries/session-hash.sql'), [uuid]);
  return rows[0]?.content_hash;
}
