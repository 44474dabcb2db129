import { IngestError } from '../errors';
import { acquireEmbedded, embeddedStatus, keepEmbedded, runningBindir, stopEmbedded } from '../embedded/instance';
import { connectionUrl } from '../embedded/layout';
import { runPsql } from '../embedded/psql';
import { formatStatus } from './db-status';

/** `ims-ingest db <action>`: see and control the embedded PostgreSQL. */

export const DB_ACTIONS = ['status', 'start', 'stop', 'url', 'psql'] as const;
export type DbAction = (typeof DB_ACTIONS)[number];

export interface DbCommandOptions {
  dir: string;
  /** Arguments after the action: psql's; none for the others. */
  rest: string[];
  force: boolean;
  json: boolean;
  keepServer: boolean;
  /** Another server is configured: the other commands do not use this one. */
  elsewhere: boolean;
  log: (line: string) => void;
}

/** Runs one action; returns the exit status. */
export async function dbCommand(action: DbAction, o: DbCommandOptions): Promise<number> {
  if (action !== 'psql' && o.rest.length) {
    throw new IngestError('CONFIG_INVALID', `db ${action} takes no arguments, got: ${o.rest.join(' ')}`);
  }
  const note = o.elsewhere
    ? 'note: DATABASE_URL or PGHOST is set, so the other commands use that server, not this one'
    : undefined;
  const out = (text: string) => process.stdout.write(text);
  switch (action) {
    case 'status': {
      const status = await embeddedStatus(o.dir);
      out(o.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status, note));
      return 0;
    }
    case 'url': {
      const status = await embeddedStatus(o.dir);
      out(`${status.url}\n`);
      if (status.server.state !== 'running')
        o.log(
          'ims-ingest: the embedded PostgreSQL is not running: `ims-ingest db start` starts it and keeps it running',
        );
      return 0;
    }
    case 'start': {
      const layout = await keepEmbedded({ dir: o.dir, log: o.log });
      out(`embedded PostgreSQL running; it stays up until \`ims-ingest db stop\`\n  url: ${connectionUrl(layout)}\n`);
      if (note) o.log(`ims-ingest: ${note}`);
      return 0;
    }
    case 'stop': {
      const { stopped, users } = await stopEmbedded(o.dir, o.force);
      if (users.length && !o.force) {
        out(
          `embedded PostgreSQL still used by ims-ingest pid ${users.join(', ')}: it stops when the last of them exits (--force stops it now)\n`,
        );
      } else {
        out(stopped ? 'embedded PostgreSQL stopped\n' : 'embedded PostgreSQL was not running\n');
      }
      return 0;
    }
    case 'psql': {
      const server = await acquireEmbedded({ dir: o.dir, keepServer: o.keepServer, log: o.log });
      try {
        return await runPsql(server.layout, o.rest, process.env, runningBindir(server.layout));
      } finally {
        await server.release();
      }
    }
  }
}
