import { readFileSync } from 'node:fs';

/** What one measured run (in its own child process) reports back. */
export interface RunResult {
  sessions: number;
  /** Issue files read (ingest, per-row) or staged (floor). */
  files: number;
  /** Bytes of those issue files. */
  bytes: number;
  wallMs: number;
  /** Summed over sessions: reading, parsing and encoding files (0 for the floor). */
  readMs: number;
  /** Summed over sessions: COPY beyond the reading (ingest), or the whole COPY (floor). */
  copyMs: number;
  /** Summed over sessions: src/sql/merge/*.sql. */
  mergeMs: number;
  /** Rows written per merge file (or per table, per-row loader). */
  rows: Record<string, number>;
  /** ims.refresh_analytics after the sessions (ingest only). */
  analyticsMs?: number;
  peakRssMb?: number;
  failures: string[];
}

/** A result with nothing counted yet. */
export function emptyResult(): RunResult {
  return { sessions: 0, files: 0, bytes: 0, wallMs: 0, readMs: 0, copyMs: 0, mergeMs: 0, rows: {}, failures: [] };
}

/** Adds one session's rows written per merge file to the run's. */
export function addRows(result: RunResult, rows: Record<string, number>): void {
  for (const [k, n] of Object.entries(rows)) result.rows[k] = (result.rows[k] ?? 0) + n;
}

/**
 * Peak resident set size of this process in MB: the kernel's high-water mark (VmHWM), which
 * catches peaks between samples; process.memoryUsage().rss sampled every 10 ms where /proc is
 * missing.
 */
export class PeakRss {
  private max = process.memoryUsage.rss();
  private readonly timer = setInterval(() => {
    this.max = Math.max(this.max, process.memoryUsage.rss());
  }, 10);

  constructor() {
    this.timer.unref();
  }

  stop(): number {
    clearInterval(this.timer);
    try {
      const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
      if (m) return Number(m[1]) / 1024;
    } catch {
      // not Linux: the samples are all there is
    }
    return Math.max(this.max, process.memoryUsage.rss()) / (1024 * 1024);
  }
}
