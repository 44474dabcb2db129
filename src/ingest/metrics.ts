import { createServer, Server } from 'node:http';
import { SessionOutcome } from './session';

/**
 * Counters of a long-running `watch`, served in the Prometheus text format on
 * http://127.0.0.1:<port>/metrics when --metrics-port is given (docs/operations.md §Metrics).
 */
export class Metrics {
  private sessions = new Map<string, number>();
  private issueFiles = 0;
  private unreadableFiles = 0;
  private problems = new Map<string, number>();
  private seconds = { read: 0, copy: 0, merge: 0 };
  private lastSuccess = 0;
  pending = 0;
  running = 0;

  record(o: SessionOutcome): void {
    const key = o.result === 'ingested' ? `ingested_${o.status}` : o.result;
    this.sessions.set(key, (this.sessions.get(key) ?? 0) + 1);
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
    ];
    return `${lines.join('\n')}\n`;
  }
}

/** Serves `metrics` on 127.0.0.1:port (loopback only). */
export function serveMetrics(metrics: Metrics, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(metrics.render());
    } else {
      res.writeHead(404).end('try /metrics\n');
    }
  });
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => done(server));
  });
}
