/**
 * Stable error codes. A code says what went wrong in words a script can match on; the message
 * says it to a person, naming the file or session concerned.
 */
export type IngestErrorCode =
  | 'CONFIG_INVALID'
  | 'LAYOUT_UNKNOWN'
  | 'PARSE_FAILED'
  | 'INVALID_ISSUE'
  | 'LOGIN_EXPIRED'
  | 'MIGRATION_CHECKSUM'
  | 'DATABASE_AHEAD'
  | 'DATABASE_UNAVAILABLE'
  | 'SESSION_FAILED'
  | 'MIGRATION_FAILED'
  | 'EMBEDDED_FAILED';

export interface IngestErrorOptions {
  file?: string;
  session?: string;
  cause?: unknown;
}

/** Base error of ims-ingest: a stable `code`, the file and session it concerns, and the cause. */
export class IngestError extends Error {
  readonly code: IngestErrorCode;
  readonly file?: string;
  readonly session?: string;

  constructor(code: IngestErrorCode, message: string, options: IngestErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'IngestError';
    this.code = code;
    this.file = options.file;
    this.session = options.session;
  }
}

/** The message of anything thrown, never `undefined`. */
export function describeError(err: unknown): string {
  if (err instanceof AggregateError && !err.message && err.errors.length > 0) {
    // Node reports a failed connect to a name with several addresses (localhost: ::1 and
    // 127.0.0.1) as an AggregateError with no message of its own.
    return [...new Set(err.errors.map(describeError))].join('; ');
  }
  if (err instanceof Error) {
    const pgCode = (err as { code?: unknown }).code;
    const detail = (err as { detail?: unknown }).detail;
    let text = err.message || err.name;
    if (typeof pgCode === 'string' && !(err instanceof IngestError)) text += ` [${pgCode}]`;
    if (typeof detail === 'string' && detail) text += ` (${detail})`;
    return text;
  }
  return String(err);
}
