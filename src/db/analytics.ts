import { Pool } from 'pg';
import { inTransaction } from './pool';
import { readSql } from './sql-files';

/**
 * analytics_daily and analytics_monthly (src/sql/migrations/0007_analytics.sql), recomputed in
 * one transaction together with a watermark of the sessions they were computed from
 * (0012_analytics_watermark.sql): whether they are stale is a question to the database, not to
 * the memory of one run.
 */

/** Recomputes the analytics in `timezone` and records their watermark. */
export async function refreshAnalytics(pool: Pool, timezone: string): Promise<void> {
  await inTransaction(pool, async (client) => {
    const { rows } = await client.query<{ n: string; latest: string | null }>(readSql('analytics/watermark.sql'));
    await client.query('SELECT ims.refresh_analytics($1)', [timezone]);
    await client.query(readSql('analytics/record.sql'), [timezone, rows[0].n, rows[0].latest]);
  });
}

/** True when the analytics are older than the sessions they summarise (or in another zone). */
export async function analyticsStale(pool: Pool, timezone: string): Promise<boolean> {
  const { rows } = await pool.query<{ stale: boolean }>(readSql('analytics/stale.sql'), [timezone]);
  return rows[0].stale;
}

/** Refreshes the analytics when they are stale; true when it did. */
export async function refreshAnalyticsIfStale(pool: Pool, timezone: string): Promise<boolean> {
  if (!(await analyticsStale(pool, timezone))) return false;
  await refreshAnalytics(pool, timezone);
  return true;
}
