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
