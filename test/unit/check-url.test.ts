import { checkDatabaseUrl } from '../../src/db/check-url';

/** Connection strings are checked before any connection, with a message saying what is wrong. */

it.each([
  'postgresql://ims:pw@db.example.com:5432/ims',
  'postgres://ims@localhost/ims',
  'postgresql://postgres@/ims?host=/var/run/postgresql',
  'postgresql://ims@/ims',
  'postgresql://a:b@[::1]:5432/x?sslmode=require',
])('accepts %s', (url) => {
  expect(() => checkDatabaseUrl(url)).not.toThrow();
});

it.each([
  [
    'notaurl',
    'database URL "notaurl" is not a connection URL: expected postgresql://user:password@host:5432/database (or postgresql://user@/database?host=/socket/dir)',
  ],
  ['mysql://root:pw@db/ims', 'database URL "mysql://root:***@db/ims" is for mysql, not PostgreSQL: expected'],
  [
    'postgresql://ims:pw@db:abc/ims',
    'database URL "postgresql://ims:***@db:abc/ims" cannot be parsed: port "abc" is not a number',
  ],
  [
    'postgresql://ims@db:99999/ims',
    'database URL "postgresql://ims@db:99999/ims" cannot be parsed: port 99999 is not from 1 to 65535',
  ],
  ['host=db dbname=ims', 'libpq key=value strings are not supported'],
])('refuses %s', (url, message) => {
  let err: { code?: string; message?: string } = {};
  try {
    checkDatabaseUrl(url);
  } catch (e) {
    err = e as typeof err;
  }
  expect(err.code).toBe('CONFIG_INVALID');
  expect(err.message).toContain(message);
});
