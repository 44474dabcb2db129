import { Pool, PoolClient } from 'pg';
import { inTransaction } from './pool';
import { claimCrawl, CrawlCopy } from './crawl-copy';
import { mergeStaged } from './merge';
import { readSql } from './sql-files';
import { analyzeStaging, computeCrawlTimes, copyRows, resetStaging, stageProblems, stageSessions } from './stage';

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
  /**
   * Runs the merge (everything after the COPY) when it may: a backfill lets one more batch
   * stage than merge at once, so that a batch's files are read and sent while the batch before
   * it merges (src/ingest/backfill.ts). Default: at once.
   */
  mergeGate?: <T>(merge: () => Promise<T>) => Promise<T>;
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
  return (await writeBatch(pool, [session], options))[0];
}

/**
 * Writes several sessions in ONE transaction (a backfill's batch, src/ingest/batches.ts): each
 * is claimed and checked as writeSession does, the ones to load are staged side by side
 * (session_no) and merged by one run of the merge statements. The merge gives the result
 * merging them one after the other would, in any order (src/sql/merge/*.sql), while each
 * issue, comment and attachment is written once per batch instead of once per crawl. The
 * batch must not hold two copies of one crawl (src/ingest/batches.ts). The rows written and
 * the merge time are those of the whole batch, reported on its first loaded session.
 */
export async function writeBatch(pool: Pool, sessions: SessionRows[], options: WriteOptions): Promise<WriteResult[]> {
  const out: WriteResult[] = sessions.map(() => ({ result: 'unchanged', rows: {}, copyMs: 0, mergeMs: 0 }));
  // Most sessions of a pass are unchanged: one query says so, without a transaction or a
  // claim (an equal hash is final; a different one is checked again under the claim).
  const loaded = options.force ? new Map<string, string>() : await loadedHashes(pool, sessions);
  const changed = sessions.map((_, i) => i).filter((i) => loaded.get(sessions[i].uuid) !== sessions[i].contentHash);
  if (changed.length === 0) return out;
  // Its own short transaction before the batch's: see the file's header.
  if (!options.rollback) await pool.query(readSql('queries/audit-partition.sql'));
  // Locks in one order (the crawl's uuid), so two batches sharing a crawl wait, never deadlock.
  changed.sort((a, b) => (sessions[a].uuid < sessions[b].uuid ? -1 : sessions[a].uuid > sessions[b].uuid ? 1 : a - b));
  await inTransaction(
    pool,
    async (client) => {
      // JIT compiles for ~0.5 s per statement on plans over unanalysed temp tables: a
      // loss on every statement of a merge.
      await client.query("SELECT set_config('ims.source_timezone', $1, true), set_config('jit', 'off', true)", [
        options.timezone,
      ]);
      const claim = options.claim ?? 'skip';
      const claimed: number[] = [];
      for (const i of changed) {
        if (claim !== 'none') {
          const { rows } = await client.query<{ claimed: boolean }>(
            readSql(`claim/${claim === 'wait' ? 'wait' : 'try'}.sql`),
            [sessions[i].uuid],
          );
          if (!rows[0]?.claimed) {
            out[i].result = 'claimed';
            continue;
          }
        }
        claimed.push(i);
      }
      // Under the claims: a process that loaded this content a moment ago has committed by now.
      const again = options.force
        ? new Map<string, string>()
        : await loadedHashes(
            client,
            claimed.map((i) => sessions[i]),
          );
      const staged: { index: number; secondary: boolean }[] = [];
      for (const i of claimed) {
        const session = sessions[i];
        if (again.get(session.uuid) === session.contentHash) continue;
        // Another copy of this crawl, a better one, may be what its row says.
        const crawl = await claimCrawl(client, session.uuid, session.copy, {
          contentHash: session.contentHash,
          force: options.force,
        });
        if (crawl !== 'unchanged') staged.push({ index: i, secondary: crawl === 'lesser' });
      }
      if (staged.length === 0) return;
      await resetStaging(client);
      const sessionRows: object[] = [];
      const problemRows: object[] = [];
      for (const [no, { index, secondary }] of staged.entries()) {
        const session = sessions[index];
        const copyStart = performance.now();
        await client.query("SELECT set_config('ims.stage_no', $1, true)", [String(no)]);
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
        out[index].copyMs = performance.now() - copyStart;
        // Asked for after the session's COPY: both depend on what was read.
        sessionRows.push({ ...session.sessionRow(), session_no: no, secondary });
        for (const row of session.problemRows()) problemRows.push({ ...row, session_no: no });
      }
      const gate = options.mergeGate ?? ((merge) => merge());
      const { merged, mergeMs } = await gate(async () => {
        await computeCrawlTimes(client);
        await stageSessions(client, sessionRows);
        await stageProblems(client, problemRows);
        await analyzeStaging(client);
        const mergeStart = performance.now();
        return { merged: await mergeStaged(client), mergeMs: performance.now() - mergeStart };
      });
      for (const [no, { index }] of staged.entries()) {
        Object.assign(out[index], { result: 'ingested', sessionId: merged.sessionIds.get(no) });
      }
      Object.assign(out[staged[0].index], { rows: merged.rows, mergeMs });
    },
    { rollback: options.rollback },
  );
  return out;
}

/** The content_hash of each session's last load, by session_uuid (absent: never loaded). */
async function loadedHashes(db: Pool | PoolClient, sessions: SessionRows[]): Promise<Map<string, string>> {
  if (sessions.length === 0) return new Map();
  const { rows } = await db.query<{ session_uuid: string; content_hash: string }>(readSql('queries/session-hash.sql'), [
    sessions.map((s) => s.uuid),
  ]);
  return new Map(rows.map((r) => [r.session_uuid, r.content_hash]));
}
