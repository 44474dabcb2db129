/**
 * Where the tests' PostgreSQL is: DATABASE_URL, else the libpq PG* variables (PGHOST, PGPORT,
 * PGUSER, PGPASSWORD). Tests never mock the database.
 */
export function baseUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.DATABASE_URL) return env.DATABASE_URL;
  if (!env.PGHOST) return undefined;
  const user = encodeURIComponent(env.PGUSER ?? 'postgres');
  const password = env.PGPASSWORD ? `:${encodeURIComponent(env.PGPASSWORD)}` : '';
  const params = new URLSearchParams();
  if (env.PGHOST.startsWith('/')) params.set('host', env.PGHOST);
  if (env.PGPORT) params.set('port', env.PGPORT);
  const host = env.PGHOST.startsWith('/') ? '' : env.PGHOST;
  return `postgresql://${user}${password}@${host}/${env.PGDATABASE ?? 'postgres'}?${params}`;
}

/** The same server, another database. (Not WHATWG URL: it rejects `postgresql://user@/db?host=/socket`.) */
export function urlForDatabase(url: string, database: string): string {
  const m = /^(postgres(?:ql)?:\/\/[^/?]*)(\/[^?]*)?(\?.*)?$/.exec(url);
  if (!m) throw new Error(`not a postgresql:// URL: ${url}`);
  return `${m[1]}/${encodeURIComponent(database)}${m[3] ?? ''}`;
}
