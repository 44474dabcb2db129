import { describeError } from '../errors';
import { log } from '../log';

/**
 * Whether the database answers, as the sessions of one process see it. An outage is logged
 * once when it starts and once when it ends (with its length), however many sessions and
 * attempts meet it, and its start is the clock that `backfill`'s retry budget runs on.
 */
export class DatabaseHealth {
  private downSince: number | undefined;
  /** Outages seen since the process started. */
  outages = 0;

  get up(): boolean {
    return this.downSince === undefined;
  }

  /** How long the current outage has lasted, 0 when the database is up. */
  downForMs(): number {
    return this.downSince === undefined ? 0 : Date.now() - this.downSince;
  }

  /** A database call failed for a reason that makes the database unreachable. */
  failed(err: unknown, where: string): void {
    if (this.downSince !== undefined) return;
    this.downSince = Date.now();
    this.outages++;
    log().warn({ error: describeError(err), where }, 'database unreachable: retrying until it is back');
  }

  /** A database call succeeded. */
  succeeded(): void {
    if (this.downSince === undefined) return;
    const seconds = Math.round((Date.now() - this.downSince) / 100) / 10;
    this.downSince = undefined;
    log().warn({ downSeconds: seconds }, `database reachable again after ${seconds}s`);
  }
}
