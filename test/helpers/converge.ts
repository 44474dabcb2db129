import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'pg';
import { backfill } from '../../src/ingest/backfill';
import { OPTIONS } from './fixtures';
import { naturalSnapshot } from './snapshot';

/**
 * The chaos tests' verdict: the database under test ends equal, table by table and row by row
 * (natural keys), to a clean one-shot backfill of the same files into a fresh database. One
 * exception: audit_log is the history of loads (a row per distinct content loaded), and a
 * daemon that loaded a session while it was being written has more history than a one-shot
 * backfill; of it, the last row of each session must match.
 */

export async function snapshot(pool: Pool): Promise<Record<string, unknown[]>> {
  const tables = await naturalSnapshot(pool);
  const { rows } = await pool.query(`
    SELECT DISTINCT ON (a.resource_id) a.action, a.resource_type, a.resource_id, a.new_value - 'session_id' AS new_value
    FROM ims.audit_log a ORDER BY a.resource_id, a.created_at DESC, a.log_id DESC`);
  return { ...tables, audit_log: rows };
}

/** Backfills `root` into the (fresh, migrated) database of `reference`; returns its snapshot. */
export async function referenceSnapshot(reference: Pool, root: string): Promise<Record<string, unknown[]>> {
  const summary = await backfill(reference, root, OPTIONS);
  const failed = summary.outcomes.filter((o) => o.result === 'failed');
  if (failed.length) throw new Error(`the reference backfill failed: ${failed.map((o) => o.failure).join('; ')}`);
  return snapshot(reference);
}

/** Waits (up to `ms`) for `pool`'s database to equal `expected`; then asserts it (showing the diff if not). */
export async function expectConverges(pool: Pool, expected: Record<string, unknown[]>, ms = 60_000): Promise<void> {
  const want = JSON.stringify(expected);
  let got: Record<string, unknown[]> = {};
  for (const until = Date.now() + ms; Date.now() < until; await sleep(500)) {
    try {
      got = await snapshot(pool);
      if (JSON.stringify(got) === want) break;
    } catch {
      // the server may be restarting
    }
  }
  expect(got).toEqual(expected);
}
