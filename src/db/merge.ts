import { PoolClient } from 'pg';
import { listSql, readSql } from './sql-files';

/**
 * Runs src/sql/merge/*.sql in order on the staged session, inside the caller's transaction.
 * The files before the session row exists take no parameter; from then on each takes the
 * session_id as $1.
 */

export interface MergeResult {
  sessionId: string;
  /** Rows written (inserted, updated or deleted) per merge file, by file name. */
  rows: Record<string, number>;
}

export async function mergeStaged(client: PoolClient): Promise<MergeResult> {
  const rows: Record<string, number> = {};
  let sessionId: string | undefined;
  for (const file of listSql('merge')) {
    const sql = readSql(`merge/${file}`);
    const takesSession = /\$1\b/.test(sql);
    if (takesSession && sessionId === undefined) {
      const found = await client.query<{ session_id: string }>(readSql('stage/session-id.sql'));
      if (found.rowCount !== 1) throw new Error(`merge/${file}: the staged session has no crawl_sessions row`);
      sessionId = found.rows[0].session_id;
    }
    const result = await client.query(sql, takesSession ? [sessionId] : []);
    rows[file.replace(/\.sql$/, '')] = result.rowCount ?? 0;
  }
  if (sessionId === undefined) throw new Error('no merge statement took the session');
  return { sessionId, rows };
}
