import { PoolClient } from 'pg';
import { listSql, readSql } from './sql-files';

/**
 * Runs src/sql/merge/*.sql in order on the staged session, inside the caller's transaction.
 * What each statement takes is what its header says (`-- Parameters: none` or
 * `-- Parameters: $1 session_id`); the session's id is what merge/020_crawl_sessions.sql
 * returns (RETURNING session_id).
 */

export interface MergeResult {
  sessionId: string;
  /** Rows written (inserted, updated or deleted) per merge file, by file name. */
  rows: Record<string, number>;
}

export interface MergeStatement {
  /** The file name without `.sql`: `030_issues`. */
  name: string;
  sql: string;
  takesSession: boolean;
}

const PARAMETERS = /^-- Parameters: (none|\$1 session_id)\b/m;

let statements: MergeStatement[] | undefined;

/** The merge files, in order, each with what its header says it takes (read once). */
export function mergeStatements(): MergeStatement[] {
  statements ??= listSql('merge').map((file) => {
    const sql = readSql(`merge/${file}`);
    const declared = PARAMETERS.exec(sql);
    if (declared === null) {
      throw new Error(
        `src/sql/merge/${file}: the header has no "-- Parameters: none" or "-- Parameters: $1 session_id" line`,
      );
    }
    return { name: file.replace(/\.sql$/, ''), sql, takesSession: declared[1] !== 'none' };
  });
  return statements;
}

export async function mergeStaged(client: PoolClient): Promise<MergeResult> {
  const rows: Record<string, number> = {};
  let sessionId: string | undefined;
  for (const { name, sql, takesSession } of mergeStatements()) {
    if (takesSession && sessionId === undefined) {
      throw new Error(`merge/${name} takes the session id, but no statement before it returned one`);
    }
    const result = await client.query(sql, takesSession ? [sessionId] : []);
    rows[name] = result.rowCount ?? 0;
    if (result.fields.some((f) => f.name === 'session_id')) {
      sessionId = result.rows[0]?.session_id ?? (await unchangedSessionId(client, name));
    }
  }
  if (sessionId === undefined) throw new Error('no merge statement returned the session id');
  return { sessionId, rows };
}

/** The id of a session row the statement `name` found exactly as staged, so did not return. */
async function unchangedSessionId(client: PoolClient, name: string): Promise<string> {
  const found = await client.query<{ session_id: string }>(readSql('queries/staged-session-id.sql'));
  if (found.rowCount !== 1) throw new Error(`merge/${name}: the staged session has no crawl_sessions row`);
  return found.rows[0].session_id;
}
