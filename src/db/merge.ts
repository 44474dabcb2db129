import { PoolClient } from 'pg';
import { listSql, readSql } from './sql-files';

/**
 * Runs src/sql/merge/*.sql in order on the staged batch, inside the caller's transaction. No
 * statement takes a parameter: each reads the batch's sessions from stage_session, whose
 * session_id merge/025_session_ids.sql fills once merge/020 has written the session rows.
 */

export interface MergeResult {
  /** crawl_sessions.session_id of each staged session, by its session_no. */
  sessionIds: Map<number, string>;
  /** Rows written (inserted, updated or deleted) per merge file, by file name. */
  rows: Record<string, number>;
}

export interface MergeStatement {
  /** The file name without `.sql`: `030_issues`. */
  name: string;
  sql: string;
}

let statements: MergeStatement[] | undefined;

/** The merge files, in order (read once). */
export function mergeStatements(): MergeStatement[] {
  statements ??= listSql('merge').map((file) => {
    const sql = readSql(`merge/${file}`);
    if (!/^-- Parameters: none\b/m.test(sql)) {
      throw new Error(`src/sql/merge/${file}: the header has no "-- Parameters: none" line`);
    }
    return { name: file.replace(/\.sql$/, ''), sql };
  });
  return statements;
}

export async function mergeStaged(client: PoolClient): Promise<MergeResult> {
  const rows: Record<string, number> = {};
  for (const { name, sql } of mergeStatements()) {
    const result = await client.query(sql);
    // 025 fills the staging table's ids: not a row of ims.*.
    if (name !== '025_session_ids') rows[name] = result.rowCount ?? 0;
  }
  const ids = await client.query<{ session_no: number; session_id: string | null }>(
    'SELECT session_no, session_id FROM stage_session',
  );
  const sessionIds = new Map<number, string>();
  for (const { session_no, session_id } of ids.rows) {
    if (session_id === null)
      throw new Error(`the staged session ${session_no} has no crawl_sessions row after the merge`);
    sessionIds.set(session_no, session_id);
  }
  return { sessionIds, rows };
}
