import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BackfillOptions } from '../../src/ingest/backfill';

export const FIXTURES = resolve(__dirname, '..', '..', 'fixtures');

export const S = {
  S1: 'users/alice/sessions/OpenFrame_TPETIME_error_에러_오류_20260103_120855',
  S2: 'users/alice/sessions/OpenFrame_OpenFrame_TPETIME_에러_발생_20260110_143921',
  S3: 'users/bob/sessions/Tibero_ORA-600_internal_error_20260105_091500',
  S4: 'users/bob/sessions/JEUS_deploy_fail_20260106_100000',
  S5: 'crawl_sessions/ProSort_sort_memory_부족_20251220_080000',
  S6: 'crawl_sessions/OpenFrame_Batch_JCL_오류_20251222_153000',
  S7: 'users/jdoe/sessions/OpenFrame_TPETIME_error_에러_오류_20251201_120855',
  S8: 'users/jdoe/sessions/Tibero_백업_복구_20251215_110000',
} as const;

/** A fixture issue file, parsed as the crawler wrote it. */
export function fixtureJson(relPath: string): Record<string, any> {
  return JSON.parse(readFileSync(join(FIXTURES, relPath), 'utf8'));
}

/** A private copy of fixtures/ (tests never write into fixtures/). */
export function copyFixtures(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ims-fixtures-'));
  cpSync(FIXTURES, dir, { recursive: true });
  return dir;
}

export const OPTIONS: BackfillOptions = { timezone: 'Asia/Seoul', defaultUser: 'unknown', concurrency: 2 };

/**
 * The table row counts after a backfill of all of fixtures/: 9 folders, 8 crawls (S5 and its
 * migrated copy S5m are one crawl).
 */
export const FIXTURE_TABLE_ROWS = {
  users: 4,
  crawl_sessions: 8,
  issues: 10,
  session_issues: 15,
  issue_comments: 21,
  issue_history: 14,
  // search_queries: 4 history entries (3 matched, 1 without a session) + 5 sessions no
  // entry describes. session_errors: + the expired-login file of S2.
  attachments: 9,
  search_queries: 9,
  session_errors: 6,
  // 8 sessions on 8 different Seoul days, each day one user: 8 (user, day) rows + 8 all-users
  // rows; months: (jdoe, unknown) in 2025-12 and (alice, bob) in 2026-01, + 2 all-users rows.
  analytics_daily: 16,
  analytics_monthly: 6,
  audit_log: 9,
} as const;
