import { createServer, Server } from 'node:http';
import { DatabaseHealth } from './db-health';
import { SessionOutcome } from './session';

/**
 * Counters of a long-running `watch`, served in the Prometheus text format on
 * http://<host>:<port>/metrics when --metrics-port is given, beside /healthz (the process
 * answers) and /readyz (the database answers and the first pass is done); docs/operations.md §7.
 * Every counter is present from the start, at 0, so that rate() and absent() alerts work.
 */

const RESULTS = ['ingested_completed', 'ingested_failed', 'unchanged', 'failed'];
const SEVERITIES = ['error', 'warning'];

export class Metrics {
  private sessions = new Map<string, number>(RESULTS.map((r) => [r, 0]));
  private failures = new Map<string, number>();
  private issueFiles = 0;
  private unreadableFiles = 0;
  private problems = new Map<string, number>(SEVERITIES.map((s) => [s, 0]));
  private seconds = { read: 0, copy: 0, merge: 0 };
  private lastSuccess = 0;
  pending = 0;
  running = 0;
  /** The first pass is done. */
  ready = false;
  health = new DatabaseHealth();

  record(o: SessionOutcome): void {
    const key = o.result === 'ingested' ? `ingested_${o.status}` : o.result;
    this.sessions.set(key, (this.sessions.get(key) ?? 0) + 1);
    if (o.error) this.failures.set(o.error.code, (this.failures.get(o.error.code) ?? 0) + 1);
    this.issueFiles += o.staged;
    this.unreadableFiles += o.rejected;
    this.problems.set('error', (this.problems.get('error') ?? 0) + o.errors);
    this.problems.set('warning', (this.problems.get('warning') ?? 0) + o.warnings);
    this.seconds.read += o.timings.readMs / 1000;
    this.seconds.copy += o.timings.copyMs / 1000;
    this.seconds.merge += o.timings.mergeMs / 1000;
    if (o.result !== 'failed') this.lastSuccess = Date.now() / 1000;
  }

  render(): string {
    const lines = [
      '# HELP ims_ingest_sessions_total Sessions handled, by result.',
      '# TYPE ims_ingest_sessions_total counter',
      ...[...this.sessions].map(([r, n]) => `ims_ingest_sessions_total{result="${r}"} ${n}`),
      '# HELP ims_ingest_session_failures_total Sessions that could not be loaded, by error code.',
      '# TYPE ims_ingest_session_failures_total counter',
      ...[...this.failures].map(([c, n]) => `ims_ingest_session_failures_total{code="${c}"} ${n}`),
      '# HELP ims_ingest_issue_files_total Issue files loaded.',
      '# TYPE ims_ingest_issue_files_total counter',
      `ims_ingest_issue_files_total ${this.issueFiles}`,
      '# HELP ims_ingest_unreadable_files_total Issue files that could not be read (see ims.session_errors).',
      '# TYPE ims_ingest_unreadable_files_total counter',
      `ims_ingest_unreadable_files_total ${this.unreadableFiles}`,
      '# HELP ims_ingest_problems_total Problems recorded in ims.session_errors, by severity.',
      '# TYPE ims_ingest_problems_total counter',
      ...[...this.problems].map(([s, n]) => `ims_ingest_problems_total{severity="${s}"} ${n}`),
      '# HELP ims_ingest_stage_seconds_total Time spent per stage.',
      '# TYPE ims_ingest_stage_seconds_total counter',
      ...Object.entries(this.seconds).map(([s, n]) => `ims_ingest_stage_seconds_total{stage="${s}"} ${n.toFixed(3)}`),
      '# HELP ims_ingest_last_success_timestamp_seconds When a session last loaded (or was found unchanged).',
      '# TYPE ims_ingest_last_success_timestamp_seconds gauge',
      `ims_ingest_last_success_timestamp_seconds ${this.lastSuccess.toFixed(0)}`,
      '# HELP ims_ingest_sessions_pending Sessions changed and waiting to settle or to load.',
      '# TYPE ims_ingest_sessions_pending gauge',
      `ims_ingest_sessions_pending ${this.pending}`,
      '# HELP ims_ingest_sessions_running Sessions being loaded now.',
      '# TYPE ims_ingest_sessions_running gauge',
      `ims_ingest_sessions_running ${this.running}`,
      '# HELP ims_ingest_database_up 1 when the database answers, 0 during an outage.',
      '# TYPE ims_ingest_database_up gauge',
      `ims_ingest_database_up ${this.health.up ? 1 : 0}`,
      '# HELP ims_ingest_database_outages_total Outages (database unreachable) since the start.',
      '# TYPE ims_ingest_database_outages_total counter',
      `ims_ingest_database_outages_total ${this.health.outages}`,
      '# HELP ims_ingest_database_down_seconds Length of the current outage, 0 when the database is up.',
      '# TYPE ims_ingest_database_down_seconds gauge',
      `ims_ingest_database_down_seconds ${(this.health.downForMs() / 1000).toFixed(0)}`,
      '# HELP ims_ingest_first_pass_done 1 once the pass over the sessions present at start is done.',
      '# TYPE ims_ingest_first_pass_done gauge',
      `ims_ingest_first_pass_done ${this.ready ? 1 : 0}`,
    ];
    return `${lines.join('\n')}\n`;
  }
}

/** Serves `metrics`, /healthz and /readyz on host:port (default loopback only). */
export function serveMetrics(metrics: Metrics, port: number, host = '127.0.0.1'): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(metrics.render());
    } else if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      const why = !metrics.health.up ? 'database unreachable' : !metrics.ready ? 'first pass not done' : undefined;
      res.writeHead(why ? 503 : 200, { 'content-type': 'text/plain' }).end(`${why ?? 'ready'}\n`);
    } else {
      res.writeHead(404).end('try /metrics, /healthz or /readyz\n');
    }
  });
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => done(server));
  });
}
