import { PoolClient } from 'pg';
import { readSql } from './sql-files';

/**
 * Inside a session's transaction, before anything is staged: takes the crawl's lock, moves a
 * pre-0011 migrated row to the crawl's key, and says how this copy of the crawl is loaded:
 *  - 'best': it is (or outranks) the copy the crawl's row comes from: loaded in full;
 *  - 'lesser': a better copy gives the row (src/files/crawl-copy.ts): its issue data is merged
 *    (the unions and "newest crawl wins" make that order-free, and a copy may hold a newer
 *    file of an issue than the other), the crawl's own rows are left alone;
 *  - 'unchanged': a lesser copy already merged with this fingerprint (unless `force`).
 * A lesser copy still says whose crawl it was (src/sql/copy/user.sql).
 */
export type CrawlClaim = 'best' | 'lesser' | 'unchanged';

/** What the files say about one copy of a crawl (src/files/crawl-copy.ts computes it). */
export interface CrawlCopy {
  /** The folder: data_path. */
  path: string;
  /** 3 migrated copy with content or per-user session, 2 shared original, 1 empty migrated no-results folder. */
  rank: number;
  /** The session_uuid this copy had before copies were one crawl, when it differs. */
  legacyUuid?: string;
  /** Whose crawl, and whether a migrated copy's path said so (it then wins over the default user). */
  userName: string;
  userFromCopy: boolean;
}

export async function claimCrawl(
  client: PoolClient,
  uuid: string,
  copy: CrawlCopy,
  fingerprint: { contentHash: string; force?: boolean },
): Promise<CrawlClaim> {
  const ref = { uuid, path: copy.path };
  const user = { name: copy.userName, fromCopy: copy.userFromCopy };
  await client.query(readSql('copy/lock.sql'), [ref.uuid]);
  const legacy = copy.legacyUuid;
  if (legacy) {
    await client.query(readSql('copy/legacy-detach.sql'), [legacy, ref.uuid]);
    await client.query(readSql('copy/legacy-uuid.sql'), [legacy, ref.uuid]);
  }
  const { rows } = await client.query<{ rank: number; data_path: string; content_hash: string }>(
    readSql('copy/rank.sql'),
    [ref.uuid],
  );
  const rank = copy.rank;
  if (rows.length === 0 || rows[0].rank <= rank) {
    // The copy the row came from becomes a lesser copy, its issue data merged already.
    if (rows.length > 0 && rows[0].rank < rank && rows[0].data_path !== ref.path && rows[0].content_hash) {
      await client.query(readSql('copy/record.sql'), [ref.uuid, rows[0].data_path, rows[0].content_hash]);
    }
    return 'best';
  }
  await client.query(readSql('copy/user.sql'), [ref.uuid, user.name, user.fromCopy]);
  if (!fingerprint.force) {
    const seen = await client.query<{ content_hash: string }>(readSql('copy/seen.sql'), [ref.uuid, ref.path]);
    if (seen.rows[0]?.content_hash === fingerprint.contentHash) return 'unchanged';
  }
  await client.query(readSql('copy/record.sql'), [ref.uuid, ref.path, fingerprint.contentHash]);
  return 'lesser';
}
