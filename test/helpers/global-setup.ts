import { createHash } from 'node:crypto';
import { Client, Pool } from 'pg';
import { applyMigrations, migrationFiles } from '../../src/db/migrate';
import { urlForDatabase, urlFromEnvironment } from '../../src/db/pg-url';
import { startTestServer } from './embedded-server';

/**
 * Builds, once per run, a template database migrated by the project's own migrator; each test
 * file copies it (CREATE DATABASE ... TEMPLATE), as graphile-worker's tests do. The template's
 * name carries a hash of the migrations, so a changed migration builds a new one.
 * The server is DATABASE_URL's or PGHOST's, else an embedded one started for this run.
 */
export default async function globalSetup(): Promise<void> {
  // No server configured: the embedded PostgreSQL, in a temporary data root (embedded-server.ts).
  const url = urlFromEnvironment(process.env) ?? (await startTestServer());
  process.env.IMS_TEST_BASE_URL = url;
  const digest = createHash('sha256')
    .update(
      migrationFiles()
        .map((f) => f.checksum)
        .join(),
    )
    .digest('hex')
    .slice(0, 12);
  const template = `ims_test_template_${digest}`;
  process.env.IMS_TEST_TEMPLATE = template;

  const admin = new Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query('SELECT pg_advisory_lock(77001)');
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
    if (exists.rowCount === 0) {
      // Built under a temporary name and renamed when complete, so a run that dies half-way
      // never leaves a broken template behind.
      const building = `${template}_building`;
      await admin.query(`DROP DATABASE IF EXISTS ${building}`);
      await admin.query(`CREATE DATABASE ${building}`);
      const pool = new Pool({ connectionString: urlForDatabase(url, building), max: 1 });
      try {
        await applyMigrations(pool);
      } finally {
        await pool.end();
      }
      await admin.query(`ALTER DATABASE ${building} RENAME TO ${template}`);
    }
  } finally {
    await admin.query('SELECT pg_advisory_unlock(77001)').catch(() => undefined);
    await admin.end();
  }
}
