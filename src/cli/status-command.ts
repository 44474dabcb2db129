import { Pool } from 'pg';
import { discoverSessions } from '../files/discover';
import { parseFolderName } from '../files/crawler-names';
import { readSql } from '../db/sql-files';
import { formatErrorList, OpenError, openErrors } from './errors-command';

/**
 * `ims-ingest status [root]`: what is loaded (sessions by user and crawl status, the last
 * session loaded, counts) and what is wrong (files that could not be loaded, by session). With
 * a root, also the session folders on disk not loaded yet and how far the newest loaded crawl
 * lags behind the newest folder. Exit 0 when nothing is wrong, 1 when a file could not be
 * loaded or a folder on disk is not loaded: a check a monitor can run.
 */

export interface StatusReport {
  sessions: number;
  issues: number;
  issueFilesLoaded: number;
  attachments: number;
  problems: Record<string, number>;
  byUser: { user: string; status: string; sessions: number; first_started: Date; last_started: Date }[];
  lastLoaded: { session: string; loaded_at: string; started_at: string } | null;
  newestCrawl: { session: string; started_at: string } | null;
  disk?: { root: string; folders: number; notLoaded: string[]; newestFolder?: string; lagSeconds?: number };
  openErrors: OpenError[];
}

export async function statusReport(pool: Pool, root: string | undefined, timezone: string): Promise<StatusReport> {
  const totals = (await pool.query(readSql('cli/status-totals.sql'))).rows[0];
  const byUser = (await pool.query(readSql('cli/status-sessions.sql'))).rows;
  const open = await openErrors(pool, null);
  const report: StatusReport = {
    sessions: totals.sessions,
    issues: totals.issues,
    issueFilesLoaded: totals.issue_files_loaded,
    attachments: totals.attachments,
    problems: totals.problems ?? {},
    byUser,
    lastLoaded: totals.last_loaded,
    newestCrawl: totals.newest_crawl,
    openErrors: open,
  };
  if (root !== undefined) {
    const refs = await discoverSessions(root);
    const loaded = new Set<string>(totals.loaded_uuids);
    const notLoaded = refs.filter((r) => !loaded.has(r.uuid)).map((r) => r.identity);
    const newest = refs
      .map((r) => ({ r, ts: parseFolderName(r.folderName).timestamp }))
      .filter((x): x is { r: typeof x.r; ts: string } => x.ts !== undefined)
      .sort((a, b) => (a.ts < b.ts ? 1 : -1))[0];
    let lagSeconds: number | undefined;
    if (newest && report.newestCrawl) {
      const { rows } = await pool.query<{ lag: number | null }>(readSql('cli/status-lag.sql'), [
        newest.ts,
        timezone,
        report.newestCrawl.started_at,
      ]);
      lagSeconds = rows[0].lag ?? undefined;
    }
    report.disk = { root, folders: refs.length, notLoaded, newestFolder: newest?.r.identity, lagSeconds };
  }
  return report;
}

export function statusHealthy(r: StatusReport): boolean {
  return r.openErrors.length === 0 && (r.disk?.notLoaded.length ?? 0) === 0;
}

export function formatStatusReport(r: StatusReport): string {
  const lines = [
    `Loaded: ${r.sessions} sessions, ${r.issues} issues, ${r.issueFilesLoaded} issue files, ${r.attachments} attachments`,
    ...(r.byUser.length ? ['  sessions by user and crawl status:'] : []),
    ...r.byUser.map(
      (u) =>
        `    ${u.user.padEnd(16)} ${u.status.padEnd(10)} ${String(u.sessions).padStart(6)}  (crawls ${iso(u.first_started)} .. ${iso(u.last_started)} UTC)`,
    ),
    `  last loaded:  ${r.lastLoaded ? `${r.lastLoaded.session} at ${r.lastLoaded.loaded_at}` : 'nothing yet'}`,
    `  newest crawl: ${r.newestCrawl ? `${r.newestCrawl.session}, started ${r.newestCrawl.started_at}` : 'none'}`,
  ];
  if (r.disk) {
    const d = r.disk;
    lines.push(
      `On disk (${d.root}): ${d.folders} session folders, ${d.notLoaded.length} not loaded` +
        (d.newestFolder
          ? `; newest ${d.newestFolder}, loaded data lags it by ${formatSeconds(d.lagSeconds ?? 0)}`
          : ''),
      ...d.notLoaded.slice(0, 20).map((s) => `    not loaded: ${s}`),
      ...(d.notLoaded.length > 20 ? [`    ... and ${d.notLoaded.length - 20} more`] : []),
    );
  }
  const p = r.problems;
  lines.push(
    `Problems in ims.session_errors: ${p.error ?? 0} errors, ${p.warning ?? 0} warnings, ${p.info ?? 0} info (ims-ingest errors lists them)`,
  );
  lines.push(
    r.openErrors.length
      ? `Files that could not be loaded (${r.openErrors.length}; fix them and run backfill again):\n${formatErrorList(r.openErrors)}`
      : 'Files that could not be loaded: none',
  );
  return lines.join('\n');
}

function iso(d: Date | string): string {
  return new Date(d).toISOString().slice(0, 16).replace('T', ' ');
}

function formatSeconds(s: number): string {
  if (s < 120) return `${Math.round(s)}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${(s / 3600).toFixed(1)}h`;
  return `${(s / 86400).toFixed(1)}d`;
}
