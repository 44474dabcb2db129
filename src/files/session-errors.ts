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
    return [
      ...this.items,
      {
        error_key: 'problems:truncated',
        error_type: 'reading',
        severity: 'warning',
        message: `${this.dropped} more problems in this session were not recorded (limit ${MAX_PROBLEMS})`,
        detail: { dropped: this.dropped },
        file_path: null,
        occurred_raw: null,
      },
    ];
  }
}
