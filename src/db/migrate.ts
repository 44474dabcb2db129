import { createHash } from 'node:crypto';
import { Pool } from 'pg';
import { IngestError } from '../errors';
import { inTransaction } from './pool';
import { listSql, readSql } from './sql-files';

/**
 * Forward-only migrations from src/sql/migrations/NNNN_name.sql, applied in order in one
 * transaction under an advisory lock, each recorded with the sha256 of its text. Like
 * graphile-worker's migrator it refuses a recorded migration whose file changed and a database
 * that has migrations this code does not know (it is ahead of the code).
 */

export interface MigrationFile {
  id: number;
  name: string;
  checksum: string;
  sql: string;
}

export interface MigrateResult {
  applied: string[];
  current: number;
}

// Arbitrary but fixed: every ims-ingest process serialises its migrations on this key.
const MIGRATION_LOCK_KEY = 0x1a5_1a5;

/** The migration files of this code, in order. */
export function migrationFiles(): MigrationFile[] {
  return listSql('migrations').map((name) => {
    const m = /^(\d+)_([\w-]+)\.sql$/.exec(name);
    if (!m) throw new Error(`bad migration file name ${name}: expected NNNN_name.sql`);
    const sql = readSql(`migrations/${name}`);
    return {
      id: Number(m[1]),
      name: name.replace(/\.sql$/, ''),
      checksum: createHash('sha256').update(sql).digest('hex'),
      sql,
    };
  });
}

/** Applies pending migrations; a no-op on an up-to-date database. */
export async function applyMigrations(pool: Pool): Promise<MigrateResult> {
  const files = migrationFiles();
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    // Only the first migrate creates the table: the loader role (docs/schema.md §5) may read
    // it but has no CREATE on the database, which CREATE ... IF NOT EXISTS still demands.
    const table = await client.query(
      "SELECT FROM pg_catalog.pg_tables WHERE schemaname = 'ims_ingest' AND tablename = 'migrations'",
    );
    if (table.rowCount === 0) {
      try {
        await client.query(`
          CREATE SCHEMA IF NOT EXISTS ims_ingest;
          CREATE TABLE IF NOT EXISTS ims_ingest.migrations (
            id         integer PRIMARY KEY,
            name       text NOT NULL,
            checksum   text NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
          )`);
      } catch (err) {
        throw new IngestError(
          'MIGRATION_FAILED',
          `cannot create the migrations table ims_ingest.migrations: ${(err as Error).message}; run ims-ingest migrate as the role that owns (or is to own) schema ims`,
          { cause: err },
        );
      }
    }
    const { rows } = await client.query<{ id: number; name: string; checksum: string }>(
      'SELECT id, name, checksum FROM ims_ingest.migrations ORDER BY id',
    );
    const known = new Map(files.map((f) => [f.id, f]));
    for (const row of rows) {
      const file = known.get(row.id);
      if (!file) {
        throw new IngestError(
          'DATABASE_AHEAD',
          `the database has migration ${row.name}, which this ims-ingest does not know: it was migrated by a newer version; upgrade ims-ingest`,
        );
      }
      if (file.checksum !== row.checksum) {
        throw new IngestError(
          'MIGRATION_CHECKSUM',
          `migration ${row.name} was changed after it was applied (checksum ${row.checksum.slice(0, 12)} in the database, ${file.checksum.slice(0, 12)} on disk); migrations are forward-only: add a new one instead`,
        );
      }
    }
    const done = new Set(rows.map((r) => r.id));
    const applied: string[] = [];
    for (const file of files) {
      if (done.has(file.id)) continue;
      try {
        await client.query(file.sql);
      } catch (err) {
        throw new IngestError('MIGRATION_FAILED', `migration ${file.name} failed: ${(err as Error).message}`, {
          file: `src/sql/migrations/${file.name}.sql`,
          cause: err,
        });
      }
      await client.query('INSERT INTO ims_ingest.migrations (id, name, checksum) VALUES ($1, $2, $3)', [
        file.id,
        file.name,
        file.checksum,
      ]);
      applied.push(file.name);
    }
    return { applied, current: files.length ? files[files.length - 1].id : 0 };
  });
}
