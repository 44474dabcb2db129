import { PoolClient } from 'pg';
import { SessionRef } from '../files/discover';
import { copyRank, legacyUuid } from '../files/crawl-copy';
import { SessionContents } from '../files/session-folder';
import { readSql } from './sql-files';

/**
 * Inside a session's transaction, before anything is staged: takes the crawl's lock, moves a
 * pre-0011 migrated row to the crawl's key, and says whether this copy is to be loaded.
 * A copy ranked below the one the row comes from (src/files/crawl-copy.ts) is not: it only
 * contributes its user (src/sql/copy/user.sql). Returns true when the load is to go on.
 */
export async function claimCrawl(
  client: PoolClient,
  ref: SessionRef,
  contents: SessionContents,
  user: { name: string; fromCopy: boolean },
): Promise<boolean> {
  await client.query(readSql('copy/lock.sql'), [ref.uuid]);
  const legacy = legacyUuid(ref);
  if (legacy) {
    await client.query(readSql('copy/legacy-detach.sql'), [legacy, ref.uuid]);
    await client.query(readSql('copy/legacy-uuid.sql'), [legacy, ref.uuid]);
  }
  const { rows } = await client.query<{ rank: number; data_path: string }>(readSql('copy/rank.sql'), [ref.uuid]);
  const rank = copyRank(ref, contents);
  if (rows.length === 0 || rows[0].rank <= rank) return true;
  await client.query(readSql('copy/user.sql'), [ref.uuid, user.name, user.fromCopy]);
  return false;
}
