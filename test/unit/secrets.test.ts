import { loadConfig } from '../../src/config';
import { IngestError } from '../../src/errors';
import { maskSecrets, passwordsOfUrl, redactUrl, registerSecrets } from '../../src/secrets';
import { tempDirs } from './temp-tree';

const temp = tempDirs('secrets');
afterAll(() => temp.cleanup());

describe('redactUrl', () => {
  it.each([
    ['postgresql://u:secret@host/db', 'postgresql://u:***@host/db'],
    ['postgres://u:p@ss@host:5432/db', 'postgres://u:***@host:5432/db'],
    ['postgresql://u:a@b@c@host/db?sslmode=require', 'postgresql://u:***@host/db?sslmode=require'],
    ['postgresql://u@host/db?password=secret', 'postgresql://u@host/db?password=***'],
    [
      'postgresql://u@host/db?sslmode=require&password=secret&x=1',
      'postgresql://u@host/db?sslmode=require&password=***&x=1',
    ],
    ['postgresql://:secret@/db?host=/run/pg', 'postgresql://:***@/db?host=/run/pg'],
    ['postgresql://u@/db?host=/run/pg', 'postgresql://u@/db?host=/run/pg'],
    ['host=db user=u password=secret', 'host=db user=u password=***'],
    ["host=db password='se cret' user=u", 'host=db password=*** user=u'],
  ])('%s -> %s', (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
  });

  it('hides URLs inside a longer text, keeping the text around them', () => {
    expect(maskSecrets('cannot connect to PostgreSQL at postgresql://u:p@ss@h/db: refused')).toBe(
      'cannot connect to PostgreSQL at postgresql://u:***@h/db: refused',
    );
    expect(maskSecrets('at postgresql://u@h/db?password=pw: refused')).toBe(
      'at postgresql://u@h/db?password=***: refused',
    );
  });
});

describe('passwordsOfUrl and registered secrets', () => {
  it('finds the password of each form, raw and decoded', () => {
    expect(passwordsOfUrl('postgresql://u:p%40ss@h/db')).toEqual(['p%40ss', 'p%2540ss', 'p@ss']);
    expect(passwordsOfUrl('postgresql://u:p@ss@h/db')).toEqual(['p@ss', 'p%40ss']);
    expect(passwordsOfUrl('postgresql://u@h/db?password=a%26b')).toEqual(['a%26b', 'a%2526b', 'a&b']);
    expect(passwordsOfUrl('postgresql://u@h/db')).toEqual([]);
  });

  it('hides a registered password wherever it appears, in every spelling', () => {
    registerSecrets(['hunter2@x', undefined]);
    expect(maskSecrets('server said: "hunter2@x" is wrong; hunter2%40x too')).toBe(
      'server said: "***" is wrong; *** too',
    );
  });
});

describe('loadConfig and secrets', () => {
  it('lists the passwords of the URL and PGPASSWORD', () => {
    const c = loadConfig({}, { DATABASE_URL: 'postgresql://u:p%40ss@h/db', PGPASSWORD: 'pgpw' });
    expect(c.secrets).toEqual(['p%40ss', 'p%2540ss', 'p@ss', 'pgpw']);
  });

  it('refuses a database URL that is not one, without printing it', () => {
    let err: unknown;
    try {
      loadConfig({ databaseUrl: 'u:secret@host' }, {});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(IngestError);
    expect((err as IngestError).message).toBe(
      'the database URL must start with postgresql:// or postgres:// (not shown: it may hold a password)',
    );
  });

  it('waits 15 s for a first answer unless PGCONNECT_TIMEOUT says otherwise (0: for ever)', () => {
    expect(loadConfig({}, {}).connectTimeoutSeconds).toBe(15);
    expect(loadConfig({}, { PGCONNECT_TIMEOUT: '0' }).connectTimeoutSeconds).toBe(0);
    expect(() => loadConfig({}, { PGCONNECT_TIMEOUT: '-1' })).toThrow(
      'connect timeout must be a whole number of seconds (0: none), got -1',
    );
  });

  it('refuses a PGPORT out of range (pg would crash on it)', () => {
    expect(() => loadConfig({}, { PGHOST: 'h', PGPORT: '99999999' })).toThrow(
      'PGPORT must be a port number from 1 to 65535, got "99999999"',
    );
    expect(loadConfig({}, { PGHOST: 'h', PGPORT: '5433' }).pgHostSet).toBe(true);
  });

  it('does not quote the config file around a JSON error (it may hold the password)', () => {
    const file = temp.file('{"databaseUrl": postgresql://u:topsecret@h/db"}');
    expect(() => loadConfig({ config: file }, {})).toThrow(
      `config file ${file} is not valid JSON: Unexpected token 'p'`,
    );
  });
});
