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
    const labelled = (label: string, values: Map<string, number> | Record<string, number>, digits?: number) =>
      [...(values instanceof Map ? values : Object.entries(values))].map(
        ([k, n]) => [`${label}="${k}"`, digits === undefined ? n : n.toFixed(digits)] as Sample,
      );
    return renderFamilies([
      ['ims_ingest_sessions_total', 'counter', 'Sessions handled, by result.', labelled('result', this.sessions)],
      [
        'ims_ingest_session_failures_total',
        'counter',
        'Sessions that could not be loaded, by error code.',
        labelled('code', this.failures),
      ],
      ['ims_ingest_issue_files_total', 'counter', 'Issue files loaded.', this.issueFiles],
      [
        'ims_ingest_unreadable_files_total',
        'counter',
        'Issue files that could not be read (see ims.session_errors).',
        this.unreadableFiles,
      ],
      [
        'ims_ingest_problems_total',
        'counter',
        'Problems recorded in ims.session_errors, by severity.',
        labelled('severity', this.problems),
      ],
      ['ims_ingest_stage_seconds_total', 'counter', 'Time spent per stage.', labelled('stage', this.seconds, 3)],
      [
        'ims_ingest_last_success_timestamp_seconds',
        'gauge',
        'When a session last loaded (or was found unchanged).',
        this.lastSuccess.toFixed(0),
      ],
      ['ims_ingest_sessions_pending', 'gauge', 'Sessions changed and waiting to settle or to load.', this.pending],
      ['ims_ingest_sessions_running', 'gauge', 'Sessions being loaded now.', this.running],
      ['ims_ingest_database_up', 'gauge', '1 when the database answers, 0 during an outage.', this.health.up ? 1 : 0],
      [
        'ims_ingest_database_outages_total',
        'counter',
        'Outages (database unreachable) since the start.',
        this.health.outages,
      ],
      [
        'ims_ingest_database_down_seconds',
        'gauge',
        'Length of the current outage, 0 when the database is up.',
        (this.health.downForMs() / 1000).toFixed(0),
      ],
      [
        'ims_ingest_first_pass_done',
        'gauge',
        '1 once the pass over the sessions present at start is done.',
        this.ready ? 1 : 0,
      ],
    ]);
  }
}

/** One sample: its labels (`result="failed"`) and its value. */
type Sample = [labels: string, value: string | number];

/**
 * A metric family: name, type, help, and its value (one sample without labels) or its labelled
 * samples. Written by renderFamilies in the Prometheus text format, HELP and TYPE before them.
 */
export type Family = [name: string, type: 'counter' | 'gauge', help: string, value: string | number | Sample[]];

export function renderFamilies(families: Family[]): string {
  const lines = families.flatMap(([name, type, help, value]) => [
    `# HELP ${name} ${help}`,
    `# TYPE ${name} ${type}`,
    ...(Array.isArray(value) ? value.map(([labels, v]) => `${name}{${labels}} ${v}`) : [`${name} ${value}`]),
  ]);
  return `${lines.join('\n')}\n`;
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
