import { StatementTime } from './database';
import { RunResult } from './result';

/** The benchmark's tables, as Markdown (readable in a terminal, pasteable into docs/performance.md). */

/** A run on a fresh database, with the statement times it left in pg_stat_statements. */
export type Measured = RunResult & { statements: StatementTime[] };

export interface SizeRun {
  files: number;
  sessions: number;
  distinctIssues: number;
  concurrency: number;
  ingest: Measured;
  floor: Measured;
  /** The final rows COPY'd in one transaction (bench/data-floor.ts), measured right after `ingest`. */
  dataFloor: Measured;
}

export interface PerRowRun {
  sessions: number;
  /** The per-row way with a transaction per issue file (committing as it goes)... */
  perRow: RunResult;
  /** ...and with one transaction per session. */
  perRowSession: RunResult;
  /** ims-ingest on the same sessions, and the database floor of those sessions, by concurrency. */
  ingest: { concurrency: number; result: RunResult; floor: RunResult }[];
}

export interface BigRun {
  fileMb: number;
  ingest: RunResult;
  /** The same size of file, needing a repair (a NUL). */
  repaired?: { fileMb: number; ingest: RunResult };
}

export interface IndexRun {
  variant: string;
  floor: RunResult;
}

const s = (ms: number) => (ms / 1000).toFixed(1);
const MB = 1024 * 1024;
const perSecond = (n: number, ms: number) => n / (ms / 1000);
// How many times less wall time per issue file `x` takes than `than`.
const speedup = (than: RunResult, x: RunResult) => than.wallMs / than.files / (x.wallMs / x.files);
// The read+parse, COPY, merge and peak RSS columns.
const phases = (r: RunResult) => [s(r.readMs), s(r.copyMs), s(r.mergeMs), r.peakRssMb!.toFixed(0)];

function table(head: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

export function mainTable(runs: SizeRun[]): string {
  return table(
    [
      'issue files',
      'sessions',
      'MB',
      'concurrent sessions',
      'ims-ingest s',
      'files/s',
      'MB/s',
      'data floor s',
      'ims-ingest / data floor',
      'session floor s',
      'ims-ingest / session floor',
      'read+parse s',
      'COPY s',
      'merge s',
      'peak RSS MB',
    ],
    runs.map((r) => [
      r.files,
      r.sessions,
      (r.ingest.bytes / MB).toFixed(0),
      r.concurrency,
      s(r.ingest.wallMs),
      perSecond(r.ingest.files, r.ingest.wallMs).toFixed(0),
      perSecond(r.ingest.bytes / MB, r.ingest.wallMs).toFixed(2),
      s(r.dataFloor.wallMs),
      `${(r.ingest.wallMs / r.dataFloor.wallMs).toFixed(2)}x`,
      s(r.floor.wallMs),
      `${(r.ingest.wallMs / r.floor.wallMs).toFixed(2)}x`,
      ...phases(r.ingest),
    ]),
  );
}

const TABLE_OF: Record<string, string> = {
  '030_issues': 'issues',
  '040_session_issues': 'session_issues',
  '060_issue_comments': 'issue_comments',
  '070_issue_history': 'issue_history',
  '080_attachments': 'attachments',
  '050_issue_crawl_stats': 'issues (crawl stats)',
};

export function rowsTable(runs: SizeRun[]): string {
  const keys = Object.keys(TABLE_OF);
  return table(
    ['issue files', 'concurrent sessions', ...keys.map((k) => `${TABLE_OF[k]} rows/s`)],
    runs.map((r) => [
      r.files,
      r.concurrency,
      ...keys.map((k) => perSecond(r.ingest.rows[k] ?? 0, r.ingest.wallMs).toFixed(0)),
    ]),
  );
}

export function statementTable(run: SizeRun): string {
  const [floor, ingest] = [run.floor.statements, run.ingest.statements];
  const names = [...new Set([...floor, ...ingest].map((t) => t.name))];
  if (names.length === 0) {
    return '(none: this server does not load pg_stat_statements; add it to shared_preload_libraries for this table)';
  }
  const get = (list: StatementTime[], n: string) => list.find((t) => t.name === n)?.ms ?? 0;
  names.sort((a, b) => get(floor, b) - get(floor, a));
  const floorTotal = floor.reduce((a, t) => a + t.ms, 0);
  return table(
    ['statement', 'floor s', 'floor share', 'ims-ingest s'],
    names
      .filter((n) => get(floor, n) + get(ingest, n) >= 5)
      .map((n) => [n, s(get(floor, n)), `${((100 * get(floor, n)) / floorTotal).toFixed(1)}%`, s(get(ingest, n))]),
  );
}

export function perRowTable(r: PerRowRun): string {
  const line = (loader: string, concurrency: number, x: RunResult): (string | number)[] => [
    `first ${r.sessions} sessions`,
    x.files,
    loader,
    concurrency,
    s(x.wallMs),
    perSecond(x.files, x.wallMs).toFixed(0),
    `${speedup(r.perRow, x).toFixed(1)}x`,
    `${speedup(r.perRowSession, x).toFixed(1)}x`,
  ];
  return table(
    [
      'subset',
      'issue files',
      'loader',
      'sessions at once',
      's',
      'files/s',
      'per-row (transaction per issue) / this',
      'per-row (transaction per session) / this',
    ],
    [
      line(`per-row, a transaction per issue file, ${r.perRow.rows.statements ?? 0} statements`, 1, r.perRow),
      line(
        `per-row, one transaction per session, ${r.perRowSession.rows.statements ?? 0} statements`,
        1,
        r.perRowSession,
      ),
      ...r.ingest.map(({ concurrency, result }) => line('ims-ingest', concurrency, result)),
      ...r.ingest.map(({ concurrency, floor }) => line('the database floor', concurrency, floor)),
    ],
  );
}

export function bigTable(r: BigRun): string {
  return table(
    ['case', 'file MB', 'ims-ingest s', 'read+parse s', 'COPY s', 'merge s', 'peak RSS MB'],
    [
      ['one session, one issue file', r.fileMb.toFixed(0), s(r.ingest.wallMs), ...phases(r.ingest)],
      ...(r.repaired
        ? [
            [
              'the same, needing a repair (a NUL)',
              r.repaired.fileMb.toFixed(0),
              s(r.repaired.ingest.wallMs),
              ...phases(r.repaired.ingest),
            ],
          ]
        : []),
    ],
  );
}

export function indexTable(runs: IndexRun[]): string {
  const base = runs[0].floor.wallMs;
  return table(
    ['indexes present', 'floor s', 'vs all indexes'],
    runs.map((r) => [r.variant, s(r.floor.wallMs), `${((100 * r.floor.wallMs) / base).toFixed(0)}%`]),
  );
}

/**
 * The issue's three targets, each judged on this run's figures: ims-ingest within 1.5x of the data
 * floor on the largest corpus, 6x faster than the per-row way (with the floor's own ratio
 * beside it, the bound for any loader running these merges), and peak RSS under 200 MB.
 */
export function targetsTable(runs: SizeRun[], perRow?: PerRowRun, big?: BigRun): string {
  const mark = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const rows: string[][] = [];
  const largest = Math.max(...runs.map((r) => r.files));
  for (const r of runs.filter((x) => x.files === largest)) {
    const ratio = r.ingest.wallMs / r.dataFloor.wallMs;
    rows.push([
      `ims-ingest / data floor, ${r.files} files, ${r.concurrency} at once`,
      '<= 1.5x',
      `${ratio.toFixed(2)}x (the session floor: ${(r.floor.wallMs / r.dataFloor.wallMs).toFixed(2)}x; ims-ingest / session floor: ${(r.ingest.wallMs / r.floor.wallMs).toFixed(2)}x)`,
      mark(ratio <= 1.5),
    ]);
  }
  for (const { concurrency, result, floor } of perRow?.ingest ?? []) {
    const ratio = speedup(perRow!.perRow, result);
    const bound = speedup(perRow!.perRow, floor);
    const generous = speedup(perRow!.perRowSession, result);
    rows.push([
      `per-row / ims-ingest, ${concurrency} at once`,
      '>= 6x',
      `${ratio.toFixed(1)}x (the floor: ${bound.toFixed(1)}x; against per-row in one transaction per session: ${generous.toFixed(1)}x)`,
      mark(ratio >= 6),
    ]);
  }
  const rss = [...runs.map((r) => r.ingest.peakRssMb!), ...(big ? [big.ingest.peakRssMb!] : [])];
  const peak = Math.max(...rss);
  rows.push([
    `peak RSS, every size${big ? ` and the ${big.fileMb.toFixed(0)} MB issue file` : ''}`,
    '< 200 MB',
    `${peak.toFixed(0)} MB`,
    mark(peak < 200),
  ]);
  if (big?.repaired) {
    const r = big.repaired.ingest.peakRssMb!;
    rows.push([
      `peak RSS, the ${big.repaired.fileMb.toFixed(0)} MB issue file needing a repair`,
      '< 200 MB',
      `${r.toFixed(0)} MB`,
      mark(r < 200),
    ]);
  }
  return table(['target', 'wanted', 'this run', 'verdict'], rows);
}
