import { parse } from 'pg-connection-string';
import { IngestError } from '../errors';
import { maskSecrets } from '../secrets';

/**
 * A connection string checked before any connection is tried. pg reads anything that is not
 * a URL as a database name on host "base" (`notaurl` fails later as `ENOTFOUND base`) and
 * ignores the scheme (`mysql://` would be tried on PostgreSQL's port), so both are refused here
 * with a message that says what is wrong.
 */

const EXPECTED =
  'expected postgresql://user:password@host:5432/database (or postgresql://user@/database?host=/socket/dir)';

export function checkDatabaseUrl(url: string): void {
  // maskSecrets masks postgres URLs; a URL of another scheme can hold a password all the same.
  const shown = maskSecrets(url).replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1];
  if (scheme === undefined) {
    // Without a scheme nothing says where a password would be: shown only when it cannot hold one.
    if (/[@:]|password/i.test(url)) {
      throw new IngestError(
        'CONFIG_INVALID',
        'the database URL must start with postgresql:// or postgres:// (not shown: it may hold a password)',
      );
    }
    const hint = /\w=\S/.test(url)
      ? ' (libpq key=value strings are not supported: use the URL form or the PG* variables)'
      : '';
    throw new IngestError('CONFIG_INVALID', `database URL "${shown}" is not a connection URL: ${EXPECTED}${hint}`);
  }
  if (!/^postgres(ql)?$/i.test(scheme)) {
    throw new IngestError('CONFIG_INVALID', `database URL "${shown}" is for ${scheme}, not PostgreSQL: ${EXPECTED}`);
  }
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(url);
  } catch (err) {
    // The URL parser's message ("Invalid URL") says nothing more; the usual cause is the port.
    const port = /@[^/?]*:([^/?]*)/.exec(url)?.[1];
    const why =
      port === undefined
        ? (err as Error).message
        : !/^\d+$/.test(port)
          ? `port "${port}" is not a number`
          : `port ${port} is not from 1 to 65535`;
    throw new IngestError('CONFIG_INVALID', `database URL "${shown}" cannot be parsed: ${why}`);
  }
  if (parsed.port && !(Number(parsed.port) >= 1 && Number(parsed.port) <= 65535)) {
    throw new IngestError('CONFIG_INVALID', `database URL "${shown}": port ${parsed.port} is not from 1 to 65535`);
  }
}
