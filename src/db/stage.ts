import { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { readSql } from './sql-files';

/**
 * Filling the staging tables of src/sql/stage/create.sql on the session's one client. COPY
 * goes through pipeline(): an error on either side destroys the COPY stream, which sends
 * CopyFail, and the transaction is rolled back by the caller.
 */

/** Creates (once per connection) and empties the staging tables. */
export async function resetStaging(client: PoolClient): Promise<void> {
  await client.query(readSql('stage/create.sql'));
}

/** Streams `chunks` (COPY text rows) into `table` (`name (col, ...)`). */
export async function copyRows(
  client: PoolClient,
  table: string,
  chunks: AsyncIterable<string | Buffer>,
): Promise<number> {
  const stream = client.query(copyFrom(`COPY ${table} FROM STDIN`));
  await pipeline(Readable.from(chunks), stream);
  return stream.rowCount;
}

/** The batch's session rows (each with its session_no), from one JSON parameter. */
export async function stageSessions(client: PoolClient, rows: object[]): Promise<void> {
  await client.query(readSql('stage/session.sql'), [JSON.stringify(rows)]);
}

/** The batch's problems (each with its session_no), from one JSON parameter. */
export async function stageProblems(client: PoolClient, rows: object[]): Promise<void> {
  if (rows.length > 0) await client.query(readSql('stage/errors.sql'), [JSON.stringify(rows)]);
}

/** Each staged file's crawl time as timestamptz, once per file (src/sql/stage/crawled-at.sql). */
export async function computeCrawlTimes(client: PoolClient): Promise<void> {
  await client.query(readSql('stage/crawled-at.sql'));
}

/** Statistics of the staged rows, so the merge is planned for their real size. */
export async function analyzeStaging(client: PoolClient): Promise<void> {
  // stage_session too: joined by every merge statement, a guess of its size (1,000s of rows
  // where a session has one) would turn index lookups by session into whole-table joins.
  await client.query('ANALYZE stage_session, stage_file, stage_download, stage_error');
}
