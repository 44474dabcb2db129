import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import {
  chmod,
  copyFile,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  stat,
  symlink,
} from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { IngestError } from '../errors';
import { PgBinaries } from './binaries';

/**
 * Copies the npm package's PostgreSQL to <binRoot>/<package>-<version>/ before running it:
 *  - as root the server runs as another user, who cannot enter node_modules inside a 0700
 *    home; the copy is world-readable, under the data root that user can reach;
 *  - `npm install --ignore-scripts` skips the package's postinstall, which creates the library
 *    symlinks (libpq.so.5 -> libpq.so.5.15) without which postgres cannot load: they are made
 *    here from the package's own list, native/pg-symlinks.json;
 *  - a later `npm install` replacing the package cannot pull files from under a running server.
 * The copy is made in a temporary directory and renamed into place, so a directory under that
 * name is always complete.
 */

export async function copyPackageBinaries(b: PgBinaries, binRoot: string): Promise<string> {
  if (!b.pkg) return b.bindir;
  const dest = join(binRoot, b.pkg.copyName);
  if (existsSync(join(dest, 'bin', 'postgres'))) return join(dest, 'bin');
  await mkdir(binRoot, { recursive: true, mode: 0o755 });
  await chmod(binRoot, 0o755);
  await removeLeftovers(binRoot);
  const tmp = join(binRoot, `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await copyTree(b.pkg.nativeDir, tmp);
    await hydrateSymlinks(b.pkg.nativeDir, tmp);
    await rename(tmp, dest);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    if (existsSync(join(dest, 'bin', 'postgres'))) return join(dest, 'bin');
    throw new IngestError(
      'EMBEDDED_FAILED',
      `cannot copy ${b.label} from ${b.pkg.nativeDir} to ${dest}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return join(dest, 'bin');
}

/** Copies of processes killed half-way (the caller holds the instance lock). */
async function removeLeftovers(binRoot: string): Promise<void> {
  for (const name of await readdir(binRoot)) {
    if (name.startsWith('.tmp-')) await rm(join(binRoot, name), { recursive: true, force: true });
  }
}

/** Directories 0755, files 0755 or 0644 as their execute bit says; symlinks as they are. */
async function copyTree(from: string, to: string): Promise<void> {
  await mkdir(to, { mode: 0o755 });
  await chmod(to, 0o755); // whatever the umask
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const src = join(from, entry.name);
    const dst = join(to, entry.name);
    if (entry.isDirectory()) await copyTree(src, dst);
    else if (entry.isSymbolicLink()) await symlink(await readlink(src), dst);
    else if (entry.isFile()) {
      await copyFile(src, dst);
      await chmod(dst, (await stat(src)).mode & 0o111 ? 0o755 : 0o644);
    }
  }
}

/** The symlinks listed in pg-symlinks.json ({source, target} relative to the package), made relative. */
async function hydrateSymlinks(nativeDir: string, to: string): Promise<void> {
  let links: Array<{ source: string; target: string }>;
  try {
    links = JSON.parse(await readFile(join(nativeDir, 'pg-symlinks.json'), 'utf8'));
  } catch {
    return; // a package without the list ships its symlinks (copied above)
  }
  for (const { source, target } of links) {
    const src = join(to, source.replace(/^native\//, ''));
    const dst = join(to, target.replace(/^native\//, ''));
    if (
      await lstat(dst).then(
        () => true,
        () => false,
      )
    )
      continue;
    await symlink(relative(dirname(dst), src), dst);
  }
}
