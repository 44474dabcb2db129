import { EmbeddedStatus } from '../embedded/instance';

/** Text of `ims-ingest db status`. */
export function formatStatus(s: EmbeddedStatus, note?: string): string {
  const state = !s.initialized
    ? 'not created yet (the first command that needs a database creates it)'
    : s.server.state === 'running'
      ? `running (pid ${s.server.pid})`
      : s.server.state === 'stale'
        ? 'stopped (a killed server left its postmaster.pid; the next start clears it)'
        : 'stopped';
  const lines = [
    `embedded PostgreSQL: ${state}`,
    `  data root: ${s.dir}`,
    ...(s.initialized ? [`  data:      ${s.dataDir} (PostgreSQL ${s.major})`] : []),
    ...(s.binaries
      ? [`  binaries:  ${s.binaries}${s.bindir && !s.binaries.includes(s.bindir) ? ` (${s.bindir})` : ''}`]
      : []),
    `  url:       ${s.url}`,
    `  used by:   ${s.users.length ? `ims-ingest pid ${s.users.join(', ')}` : 'no ims-ingest process'}`,
    `  stops:     ${s.keep ? 'on `ims-ingest db stop` (kept running by `ims-ingest db start`)' : 'when the last ims-ingest using it exits'}`,
    `  log:       ${s.logFile}`,
  ];
  if (note) lines.push(note);
  return `${lines.join('\n')}\n`;
}
