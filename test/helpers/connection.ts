import { urlFromEnvironment } from '../../src/pg-url';

export { urlForDatabase } from '../../src/pg-url';

/**
 * Where the tests' PostgreSQL is: DATABASE_URL, else the libpq PG* variables (PGHOST, PGPORT,
 * PGUSER, PGPASSWORD); undefined starts the embedded one. Tests never mock the database.
 */
export function baseUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return urlFromEnvironment(env);
}
