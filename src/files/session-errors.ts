/**
 * Problems found while reading a session, destined for ims.session_errors. Each has a stable
 * key (what it is about), so a re-ingest of the same folder updates the same rows.
 */
export interface Problem {
  error_key: string;
  error_type: 'parsing' | 'crawling' | 'reading';
  severity: 'error' | 'warning' | 'info';
  message: string;
  detail: Record<string, unknown> | null;
  file_path: string | null;
  /** A time string ims.crawler_ts can read (a file name's `YYYYMMDD_HHMMSS`), else null. */
  occurred_raw: string | null;
}

/** Where a problem points, when it points anywhere. */
export interface ProblemPlace {
  /** Anything a reader of ims.session_errors needs to act on it (error_detail jsonb). */
  detail?: Record<string, unknown> | null;
  /** The absolute path of the file it is about. */
  file?: string | null;
  /** A time string ims.crawler_ts can read (a file name's `YYYYMMDD_HHMMSS`). */
  occurredRaw?: string | null;
}

/**
 * The one way a session_errors row is built: `key` says what it is about, stable across
 * re-ingests of the folder (`<kind>:<rel_path>`), so the merge updates the same row.
 */
export function problem(
  key: string,
  type: Problem['error_type'],
  severity: Problem['severity'],
  message: string,
  place: ProblemPlace = {},
): Problem {
  return {
    error_key: key,
    error_type: type,
    severity,
    message,
    detail: place.detail ?? null,
    file_path: place.file ?? null,
    occurred_raw: place.occurredRaw ?? null,
  };
}

// A folder of broken files must not turn into an unbounded list in memory.
const MAX_PROBLEMS = 5000;

export class ProblemList {
  readonly items: Problem[] = [];
  private dropped = 0;
  errors = 0;
  warnings = 0;

  add(problem: Problem): void {
    if (problem.severity === 'error') this.errors++;
    else if (problem.severity === 'warning') this.warnings++;
    if (this.items.length < MAX_PROBLEMS) this.items.push(problem);
    else this.dropped++;
  }

  /** The list to stage, with one closing entry saying how many were left out. */
  toRows(): Problem[] {
    if (this.dropped === 0) return this.items;
    const message = `${this.dropped} more problems in this session were not recorded (limit ${MAX_PROBLEMS})`;
    return [
      ...this.items,
      problem('problems:truncated', 'reading', 'warning', message, { detail: { dropped: this.dropped } }),
    ];
  }
}
