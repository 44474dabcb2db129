import { BackfillSummary } from '../ingest/backfill';
import { SessionOutcome } from '../ingest/session';

/** Text the CLI prints about sessions and runs. */

export function formatOutcome(o: SessionOutcome): string {
  const secs = (o.timings.totalMs / 1000).toFixed(2);
  if (o.result === 'failed') return `FAILED     ${o.ref.identity}: ${o.failure}${o.error ? ` [${o.error.code}]` : ''}`;
  if (o.result === 'unchanged') return `unchanged  ${o.ref.identity}`;
  if (o.result === 'claimed') return `claimed    ${o.ref.identity} (being loaded by another ims-ingest)`;
  const extra = [
    `${o.staged} issue files`,
    o.rejected ? `${o.rejected} unreadable` : '',
    o.errors ? `${o.errors} errors` : '',
    o.warnings ? `${o.warnings} warnings` : '',
    `${secs}s`,
  ].filter(Boolean);
  return `${o.status === 'failed' ? 'failed crawl' : 'ingested  '} ${o.ref.identity} (${extra.join(', ')})`;
}

export function formatSummary(s: BackfillSummary): string {
  const count = (f: (o: SessionOutcome) => boolean) => s.outcomes.filter(f).length;
  const sum = (f: (o: SessionOutcome) => number) => s.outcomes.reduce((a, o) => a + f(o), 0);
  const ingested = count((o) => o.result === 'ingested');
  const lines = [
    `Backfill of ${s.root}`,
    `  sessions:    ${s.found} found, ${ingested} ingested (${count((o) => o.status === 'completed')} completed, ` +
      `${count((o) => o.result === 'ingested' && o.status === 'failed')} failed crawls), ` +
      `${count((o) => o.result === 'unchanged')} unchanged, ${count((o) => o.result === 'failed')} could not be ingested` +
      (s.notStarted ? `, ${s.notStarted} not started (interrupted)` : ''),
    `  issue files: ${sum((o) => o.issueFiles)} found, ${sum((o) => o.staged)} loaded, ${sum((o) => o.rejected)} unreadable`,
    `  problems:    ${sum((o) => o.errors)} errors, ${sum((o) => o.warnings)} warnings recorded in ims.session_errors`,
    `  history:     ${s.history.status === 'loaded' ? `${s.history.entries} query history entries read` : `query history ${s.history.status}`}` +
      (s.history.problems.length ? ` (${s.history.problems.length} problems, logged)` : ''),
    `  loaded by this run:  ${formatWritten(s.outcomes)}`,
    `  in the database:     ${Object.entries(s.tableRows)
      .map(([t, n]) => `${t} ${n}`)
      .join(', ')}`,
    `  time:        ${(s.elapsedMs / 1000).toFixed(2)}s, ${formatBytes(sum((o) => o.bytes))} read`,
  ];
  const failures = s.outcomes.filter((o) => o.result === 'failed');
  if (failures.length)
    lines.push(
      'Failed sessions:',
      ...failures.map((o) => `  ${o.ref.identity}: [${o.error?.code ?? 'SESSION_FAILED'}] ${o.failure}`),
    );
  if (s.gaveUp)
    lines.push(
      `Gave up: ${s.gaveUp}; ${s.notStarted} sessions not started. Run the same command again once the database is back.`,
    );
  return lines.join('\n');
}

/** Rows inserted, updated or deleted by this run's merges, per table (from each merge step). */
function formatWritten(outcomes: SessionOutcome[]): string {
  const rows = new Map<string, number>();
  for (const o of outcomes) {
    for (const [step, n] of Object.entries(o.rows)) {
      // 045_session_issues_prune -> session_issues (pruned rows are written rows too)
      const table = step.replace(/^\d+_/, '').replace(/_prune$/, '');
      rows.set(table, (rows.get(table) ?? 0) + n);
    }
  }
  const parts = [...rows].filter(([, n]) => n > 0).map(([t, n]) => `${t} ${n}`);
  return parts.length ? `${parts.join(', ')} (rows written)` : 'nothing (every session unchanged or failed)';
}

/** Exit status of a backfill: 0 when every session loaded and every issue file was readable. */
export function backfillSucceeded(s: BackfillSummary): boolean {
  return s.notStarted === 0 && s.outcomes.every((o) => o.result !== 'failed' && o.rejected === 0);
}

function formatBytes(n: number): string {
  if (n < 1e3) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e9).toFixed(2)} GB`;
}
