/**
 * The one table of what is worth trying again. A failure is transient when the same work, tried
 * later, may succeed: the server is restarting or unreachable, the connection was lost, or two
 * transactions collided. Anything else (a data error, a permission) fails the same way every
 * time and is never retried. Sources: PostgreSQL's errcodes (class 08, 57P0x, 53300, 40xxx),
 * Node's socket errnos, and node-postgres's own messages for a connection that died.
 */

export type TransientKind =
  /** The database is unreachable or the connection died: an outage until proven otherwise. */
  | 'connection'
  /** The connection could not be set up within the connect timeout. */
  | 'timeout'
  /** Two transactions collided (deadlock, serialization): retry at once, no outage. */
  | 'contention';

const SQLSTATES: Readonly<Record<string, TransientKind>> = {
  '40001': 'contention', // serialization_failure
  '40P01': 'contention', // deadlock_detected
  '57P01': 'connection', // admin_shutdown (pg_terminate_backend, fast shutdown)
  '57P02': 'connection', // crash_shutdown
  '57P03': 'connection', // cannot_connect_now (starting up, shutting down)
  '53300': 'connection', // too_many_connections
};

const ERRNOS: Readonly<Record<string, TransientKind>> = {
  ECONNREFUSED: 'connection',
  ECONNRESET: 'connection',
  ECONNABORTED: 'connection',
  EPIPE: 'connection',
  ENOTCONN: 'connection',
  EHOSTUNREACH: 'connection',
  ENETUNREACH: 'connection',
  EAI_AGAIN: 'connection',
  ETIMEDOUT: 'timeout',
};

const MESSAGES: ReadonlyArray<[RegExp, TransientKind]> = [
  [/Connection terminated unexpectedly/, 'connection'],
  [/Connection terminated due to connection timeout/, 'timeout'],
  [/Client has encountered a connection error and is not queryable/, 'connection'],
  [/Client was closed and is not queryable/, 'connection'],
  [/^timeout expired$/, 'timeout'],
  [/timeout exceeded when trying to connect/, 'timeout'],
  [/the database system is (starting up|shutting down|in recovery mode)/, 'connection'],
];

/** What kind of transient failure `err` is, or undefined when retrying it cannot help. */
export function transientKind(err: unknown): TransientKind | undefined {
  if (err instanceof AggregateError) {
    for (const inner of err.errors) {
      const kind = transientKind(inner);
      if (kind) return kind;
    }
  }
  const e = err as { code?: unknown; message?: unknown; cause?: unknown } | null;
  if (!e || typeof e !== 'object') return undefined;
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (code) {
    if (SQLSTATES[code]) return SQLSTATES[code];
    if (code.startsWith('08')) return 'connection'; // connection_exception class
    if (ERRNOS[code]) return ERRNOS[code];
    // A Unix socket that does not exist: the server is stopped (it removes its socket). Any
    // other missing file (a session folder deleted under the loader) is no outage.
    if (code === 'ENOENT' && /\.s\.PGSQL\.\d+/.test(`${e.message} ${(e as { address?: unknown }).address}`))
      return 'connection';
  }
  const message = typeof e.message === 'string' ? e.message : '';
  for (const [pattern, kind] of MESSAGES) if (pattern.test(message)) return kind;
  // IngestError wraps what it reports; the wrapped error decides.
  return e.cause !== undefined && e.cause !== err ? transientKind(e.cause) : undefined;
}

/** True for an error that the same work, tried again, may not meet. */
export function isTransient(err: unknown): boolean {
  return transientKind(err) !== undefined;
}

/**
 * SQLSTATEs with which PostgreSQL refuses a value it was given (a staged document too deep,
 * bytes it cannot store): the file concerned is bad, not the session, so the loader isolates it.
 */
export function isRefusedData(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  // 22xxx data exceptions (22P02 invalid text, 22021 bad bytes, 22P05 \u0000, 22003 out of
  // range ...) and 54xxx program limits (54001 stack depth, 54000 too large).
  return code.startsWith('22') || code.startsWith('54');
}
