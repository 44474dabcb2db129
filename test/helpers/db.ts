import { randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';
import { urlForDatabase } from '../../src/db/pg-url';

export interface TestDatabase {
  name: string;
  url: string;
  pool: Pool;
  drop(): Promise<void>;
}

function base(): string {
  const url = process.env.IMS_TEST_BASE_URL;
  if (!url) throw new Error('IMS_TEST_BASE_URL is unset: run the tests through jest (test/helpers/global-setup.ts)');
  return url;
}

async function admin<T>(work: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: base() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated database: a copy of the run's template. */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const name = `ims_test_${randomBytes(6).toString('hex')}`;
  const template = process.env.IMS_TEST_TEMPLATE;
  await admin(async (c) => {
    if (options.migrated === false) await c.query(`CREATE DATABASE ${name}`);
    else {
      // CREATE DATABASE ... TEMPLATE fails while another session is connected to the template.
      await c.query('SELECT pg_advisory_lock(77002)');
      try {
        await c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
      } finally {
        await c.query('SELECT pg_advisory_unlock(77002)');
      }
    }
  });
  const url = urlForDatabase(base(), name);
  const pool = new Pool({ connectionString: url, max: 6 });
  // An idle client's error would crash the test run: the one expected is our own DROP ... FORCE
  // reaching a connection that pool.end() has not finished closing.
  pool.on('error', (err) => {
    if ((err as { code?: string }).code !== '57P01') throw err;
  });
  return {
    name,
    url,
    pool,
    drop: async () => {
      await pool.end();
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
