import { SessionRef } from './discover';
import { SessionContents } from './session-folder';
import { uuidV5 } from './crawler-names';

/**
 * One crawl, several copies (docs/column-mapping.md §2.1). migrate_to_userid_structure.py
 * copies `crawl_sessions/<folder>` to `users/<user>/sessions/<folder>/` and leaves the
 * original: both are the same crawl, so both have the crawl's session_uuid, UUIDv5 of the
 * folder name (discover.ts); each keeps its own identity (which folder). Which copy the
 * crawl's row is loaded from must not depend on the order the copies are seen in, so copies
 * are ranked, and a copy never replaces the row of a better one (its issue data is merged all
 * the same: src/db/crawl-copy.ts):
 *
 *  3  a migrated copy with something in it (metadata.json, an issue file, a failure marker),
 *     and every per-user session (never a copy: its identity keeps the user);
 *  2  the shared original;
 *  1  the empty folder the migration leaves for a no-results session (empty issues/ and
 *     attachments/, no metadata.json): the original's failure markers say more.
 *
 * Two copies of the same rank (the same dump at two paths): the last one loaded wins.
 */
export function copyRank(ref: SessionRef, contents: SessionContents): number {
  if (ref.layout === 'shared') return 2;
  if (ref.layout === 'per_user') return 3;
  const empty = !contents.metadataPath && contents.issueFiles.length === 0 && contents.failureMarkers.length === 0;
  return empty ? 1 : 3;
}

/**
 * The session_uuid a migrated copy had before copies were one crawl (UUIDv5 of
 * `<user>/<folder>`, its identity), or undefined when its uuid did not change.
 */
export function legacyUuid(ref: SessionRef): string | undefined {
  const old = uuidV5(ref.identity);
  return old !== ref.uuid ? old : undefined;
}
