import { Pool } from 'pg';
import { inTransaction, RetryOptions, withRetry } from '../db/pool';
import { readSql } from '../db/sql-files';
import { HistoryEntry, historyDir, readQueryHistory } from '../files/query-history';
import { log } from '../log';

/**
 * Loads the crawler's query history (src/files/query-history.ts) into ims.search_queries and
 * matches it to the sessions, in one transaction (retried on a deadlock: the matching updates
 * sessions that a concurrent session load may hold). Called once by backfill after the
 * sessions, and by watch whenever a history file changes. Never throws for the files' sake:
 * what was wrong with them is in `problems`, each naming its file.
 */

export interface HistoryOutcome {
  status: 'loaded' | 'absent' | 'unreadable' | 'failed';
  entries: number;
  /** Rows written (entries inserted or changed, plus matching changes). */
  changed: number;
  problems: string[];
}

export interface HistoryOptions {
  timezone: string;
  defaultUser: string;
  /**
   * How long to retry while the database is away: a backfill's run budget (--retry-seconds,
   * runRetry), watch's for ever until stopped. Default: withRetry's own (180 s).
   */
  retry?: RetryOptions;
}

export async function loadQueryHistory(pool: Pool, root: string, options: HistoryOptions): Promise<HistoryOutcome> {
  const read = await readQueryHistory(root);
  const outcome: HistoryOutcome = {
    status: read.status,
    entries: read.entries.length,
    changed: 0,
    problems: read.problems,
  };
  if (read.status === 'loaded') await write(pool, read.entries, options, outcome, root);
  for (const problem of outcome.problems) log().warn({ history: historyDir(root) }, problem);
  return outcome;
}

async function write(
  pool: Pool,
  entries: HistoryEntry[],
  options: HistoryOptions,
  outcome: HistoryOutcome,
  root: string,
): Promise<void> {
  try {
    outcome.changed = await withRetry(
      () =>
        inTransaction(pool, async (client) => {
          await client.query("SELECT set_config('ims.source_timezone', $1, true)", [options.timezone]);
          await client.query(readSql('history/user.sql'), [options.defaultUser]);
          const upsert = await client.query(readSql('history/upsert.sql'), [
            JSON.stringify(entries),
            options.defaultUser,
          ]);
          const match = await client.query<{ changed: number }>(readSql('history/match-all.sql'));
          return (upsert.rowCount ?? 0) + match.rows[0].changed;
        }),
      options.retry,
    );
  } catch (err) {
    outcome.status = 'failed';
    outcome.problems.push(`${historyDir(root)}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
