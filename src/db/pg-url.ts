/**
 * PostgreSQL connection strings, for the programs around the loader (tests, benchmark) that
 * create and address databases of their own. libpq's socket form
 * `postgresql://user@/db?host=/socket/dir` is not a WHATWG URL, so these work on the text.
 */

/** DATABASE_URL, else a URL built from the libpq variables when PGHOST is set, else undefined. */
export function urlFromEnvironment(env: NodeJS.ProcessEnv): string | undefined {
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

/** The same server, another database. */
export function urlForDatabase(url: string, database: string): string {
  const m = /^(postgres(?:ql)?:\/\/[^/?]*)(\/[^?]*)?(\?.*)?$/.exec(url);
  if (!m) throw new Error(`not a postgresql:// URL: ${url}`);
  return `${m[1]}/${encodeURIComponent(database)}${m[3] ?? ''}`;
}
