import { createHash } from 'node:crypto';
import { copyRank, legacyUuid } from '../files/crawl-copy';
import { SessionRef } from '../files/discover';
import { downloadRows, issueRows, IssueRowStats } from '../files/file-rows';
import { Problem, problem, ProblemList } from '../files/session-errors';
import { scanSession, SessionContents } from '../files/session-folder';
import { sessionFacts } from '../files/session-row';
import { listSql, readSql } from '../db/sql-files';
import { SessionRows } from '../db/write-session';

/**
 * Reading a session (files -> rows): the folder's listing and fingerprint, the session row's
 * facts, and the COPY rows, produced lazily as writeSession streams them. What the rows say
 * about the session (status, counts, problems) is known once they have been consumed.
 */

export interface ReadOptions {
  timezone: string;
  defaultUser: string;
  /** Issue files (by path relative to the folder) not to load, with why: PostgreSQL refused them. */
  exclude?: ReadonlyMap<string, string>;
}

export interface SessionRead extends SessionRows {
  ref: SessionRef;
  contents: SessionContents;
  /** Filled as fileRows is consumed. */
  stats: IssueRowStats;
  problems: ProblemList;
}

// Changes with the code that turns files into rows, so upgrading ims-ingest re-ingests.
const LOADER_FINGERPRINT = createHash('sha256')
  .update(['stage', 'merge', 'copy'].flatMap((d) => listSql(d).map((f) => readSql(`${d}/${f}`))).join('\0'))
  .update(String(require('../../package.json').version))
  .digest('hex');

export async function readSession(ref: SessionRef, options: ReadOptions): Promise<SessionRead> {
  const contents = await scanSession(ref.path);
  const contentHash = createHash('sha256')
    // The default user only names shared-layout sessions; elsewhere changing it changes nothing.
    // The path too: a folder moved or loaded from another copy of the dump updates data_path.
    .update(
      `${contents.fingerprint}\0${ref.path}\0${options.timezone}\0${ref.layout === 'shared' ? options.defaultUser : ''}\0${LOADER_FINGERPRINT}`,
    )
    .digest('hex');
  const problems = new ProblemList();
  const stats: IssueRowStats = { staged: 0, rejected: 0, readMs: 0, bytes: 0 };
  const facts = await sessionFacts(ref, contents, options.defaultUser, problems);
  const exclude = options.exclude ?? new Map<string, string>();
  const files = contents.issueFiles.filter((f) => !exclude.has(f.relPath));
  for (const file of contents.issueFiles) {
    const why = exclude.get(file.relPath);
    if (why === undefined) continue;
    stats.rejected++;
    problems.add(
      problem(
        `parse:${file.relPath}`,
        'parsing',
        'error',
        `${file.relPath}: PostgreSQL refused the document: ${why}; the rest of the session is loaded`,
        { detail: { code: 'DATA_REJECTED', size: file.size }, file: file.absPath, occurredRaw: file.timestamp },
      ),
    );
  }
  const { fallbackKey, ...sessionRow } = facts;
  return {
    ref,
    contents,
    stats,
    problems,
    identity: ref.identity,
    uuid: ref.uuid,
    contentHash,
    copy: {
      path: ref.path,
      rank: copyRank(ref, contents),
      legacyUuid: legacyUuid(ref),
      userName: facts.user_name,
      userFromCopy: facts.metadata.user_from !== 'default',
    },
    fileRows: issueRows(files, fallbackKey, problems, stats),
    downloadRows: downloadRows(contents.downloads, problems),
    sessionRow: () => {
      const status = stats.staged > 0 ? 'completed' : 'failed';
      if (status === 'failed') problems.add(failureProblem(contents, stats.rejected));
      for (const name of contents.unrecognized) {
        problems.add(
          problem(
            `skipped:${name}`,
            'reading',
            'info',
            `${name}: a .json file that is not an issue file (<issue_id>_<YYYYMMDD_HHMMSS>.json); not loaded`,
            { file: `${ref.path}/${name}` },
          ),
        );
      }
      return {
        ...sessionRow,
        status,
        attachments_downloaded: contents.downloads.length,
        failed_issues: stats.rejected,
        content_hash: contentHash,
      };
    },
    problemRows: () => problems.toRows(),
  };
}

function failureProblem(contents: SessionContents, rejected: number): Problem {
  const markers = contents.failureMarkers.map((m) => m.relPath);
  const message =
    markers.length > 0
      ? `the crawl found no issues: the crawler left ${markers.join(', ')}`
      : contents.issueFiles.length === 0
        ? 'the session folder holds no issue file'
        : `none of the ${rejected} issue files could be read`;
  const stamps = contents.failureMarkers
    .map((m) => m.timestamp)
    .filter((t): t is string => !!t)
    .sort();
  return problem('crawl:failed', 'crawling', 'error', message, {
    detail: { failure_markers: markers, issue_files: contents.issueFiles.length },
    occurredRaw: stamps[0],
  });
}
