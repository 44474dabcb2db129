import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { describeError } from '../errors';
import { DATABASE, Layout, PORT, SUPERUSER } from './layout';
import { embeddedFailure } from './server';

/**
 * Waits until the embedded server accepts connections (a server found running may still be
 * starting or recovering after a crash), then creates the `ims` database if it is missing.
 * Called under the instance lock, so two processes never both try to create it.
 */
export async function prepareDatabase(layout: Layout, timeoutMs = 60_000): Promise<void> {
  const client = await connectWhenReady(layout, timeoutMs);
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
  } catch (err) {
    throw embeddedFailure(
      `cannot create the database ${DATABASE} in the embedded PostgreSQL: ${describeError(err)}`,
      '',
      layout.logFile,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function connectWhenReady(layout: Layout, timeoutMs: number): Promise<Client> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new Client({
      host: layout.socketDir,
      port: PORT,
      user: SUPERUSER,
      database: 'postgres',
      application_name: 'ims-ingest',
      connectionTimeoutMillis: 5000,
      ssl: false,
    });
    try {
      await client.connect();
      return client;
    } catch (err) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) {
        throw embeddedFailure(
          `the embedded PostgreSQL does not accept connections on ${layout.socketDir}: ${describeError(err)}`,
          '',
          layout.logFile,
        );
      }
      await sleep(200);
    }
  }
}
