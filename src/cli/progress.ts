import { MultiBar } from 'cli-progress';
import { SessionRef } from '../files/discover';
import { scanSession } from '../files/session-folder';
import { describeError } from '../errors';
import { log } from '../log';
import { SessionOutcome } from '../ingest/session';
import { formatOutcome } from './format';
import { setLogSink } from './run';

/**
 * What backfill and watch's first pass say while they run. On a terminal (and without --quiet):
 * one live bar on stderr with sessions and issue files done of total, MB/s, ETA and errors so
 * far; log lines are printed above it. Otherwise one log line per session with `done`/`total`.
 */
export class Progress {
  private bars?: MultiBar;
  private bar?: ReturnType<MultiBar['create']>;
  private total = 0;
  private done = 0;
  private files = 0;
  private filesTotal = 0;
  private bytes = 0;
  private errors = 0;
  private started = performance.now();

  constructor(private readonly live: boolean) {}

  /** The sessions of the run are known: start the bar, count their issue files in the background. */
  start(refs: SessionRef[]): void {
    this.total = refs.length;
    this.started = performance.now();
    if (!this.live || refs.length === 0) return;
    this.bars = new MultiBar({
      format:
        '{bar} {value}/{total} sessions | {files}/{filesTotal} files | {mbps} MB/s | ETA {etaText} | {errors} errors',
      hideCursor: true,
      // Short enough for the whole line to fit 80 columns.
      barsize: 20,
      etaBuffer: 50,
      stream: process.stderr,
    });
    this.bar = this.bars.create(refs.length, 0, this.payload());
    setLogSink((line) => this.bars?.log(line));
    void this.countFiles(refs);
  }

  /** One session is done (loaded, unchanged or failed). */
  session(o: SessionOutcome): void {
    this.done++;
    this.files += o.issueFiles;
    this.bytes += o.bytes;
    this.errors += (o.result === 'failed' ? 1 : 0) + o.rejected;
    // watch's later sessions are not part of a counted run.
    const counted = this.done <= this.total;
    const fields = {
      session: o.ref.identity,
      done: counted ? this.done : undefined,
      total: counted ? this.total : undefined,
      result: o.result,
      status: o.status,
      files: o.issueFiles,
      unreadable: o.rejected || undefined,
      errors: o.errors || undefined,
      warnings: o.warnings || undefined,
      ms: Math.round(o.timings.totalMs),
      failure: o.failure,
    };
    const text = formatOutcome(o);
    if (o.result === 'failed') log().error(fields, text);
    else if (o.rejected > 0) log().warn(fields, text);
    else if (o.result === 'unchanged') log().debug(fields, text);
    else log().info(fields, text);
    this.bar?.update(this.done, this.payload());
    // The bar is for a run with an end: watch's later sessions are log lines.
    if (this.done >= this.total) this.stop();
  }

  // An outage is logged once when it starts and once when it ends by the run's DatabaseHealth;
  // each attempt is only a debug line.
  retry(ref: SessionRef, attempt: number, err: unknown): void {
    log().debug(
      { session: ref.identity, attempt: attempt + 1 },
      `retrying ${ref.identity} (attempt ${attempt + 1}): ${describeError(err)}`,
    );
  }

  stop(): void {
    if (!this.bars) return;
    this.bar?.update(this.done, this.payload());
    // Log lines wait for the next redraw; stop() alone would drop the last ones.
    this.bars.update();
    this.bars.stop();
    this.bars = undefined;
    this.bar = undefined;
    setLogSink(undefined);
  }

  /** Bytes read per second so far, in MB. */
  rate(): number {
    const secs = (performance.now() - this.started) / 1000;
    return secs > 0 ? this.bytes / 1e6 / secs : 0;
  }

  private payload() {
    // Once every session is done its files are all the files, counted or not yet.
    const filesTotal = this.done >= this.total ? this.files : this.filesTotal || '?';
    return { files: this.files, filesTotal, mbps: this.rate().toFixed(2), errors: this.errors, etaText: this.eta() };
  }

  /** Time left at the rate of the sessions done so far ('?' before the first one). */
  private eta(): string {
    if (this.done === 0) return '?';
    const s = (((performance.now() - this.started) / 1000) * (this.total - this.done)) / this.done;
    return s < 60
      ? `${Math.ceil(s)}s`
      : s < 3600
        ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`
        : `${(s / 3600).toFixed(1)}h`;
  }

  private async countFiles(refs: SessionRef[]): Promise<void> {
    for (const ref of refs) {
      if (!this.bars) return;
      try {
        // The loader's own scan (names and sizes, no file read): the same count as the load's.
        this.filesTotal += (await scanSession(ref.path)).issueFiles.length;
      } catch {
        // The load of that session reports why its folder cannot be read.
      }
    }
    this.bar?.update(this.done, this.payload());
  }
}
