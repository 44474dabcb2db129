import { createHash } from 'node:crypto';
import { stat as statCallback, Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseFailureMarker, parseIssueFileName } from './crawler-names';

/**
 * What a session folder holds (docs/input-format.md §2 and §4), sorted so every run stages the
 * files in the same order. Only names and sizes are read here; contents are read later, one
 * file at a time.
 */

export interface IssueFile {
  /** Path relative to the session folder, `/`-separated. */
  relPath: string;
  absPath: string;
  /** Issue id as the file name gives it. */
  nameIssueId: string;
  /** `YYYYMMDD_HHMMSS` of the file name, undefined in the migrated `issues/<id>.json`. */
  timestamp?: string;
  size: number;
}

export interface DownloadedFile {
  issueId: string;
  fileName: string;
  relPath: string;
  absPath: string;
  size: number;
  /** The `<name>.txt` preview beside it, if any. */
  previewPath?: string;
}

export interface SessionContents {
  issueFiles: IssueFile[];
  downloads: DownloadedFile[];
  /** `no_results_*` / `debug_screenshot_*` files: the marks of a failed search. */
  failureMarkers: { relPath: string; timestamp?: string }[];
  /** Absolute path of metadata.json (migrated layout), if present. */
  metadataPath?: string;
  /** `.json` files that are neither issues nor known non-issue files. */
  unrecognized: string[];
  /** sha256 over every file's path, size and mtime: unchanged folder, unchanged fingerprint. */
  fingerprint: string;
}

const KNOWN_NON_ISSUE_JSON = new Set(['search_result.json', 'metadata.json']);

/** Lists the session folder `dir`. */
export async function scanSession(dir: string): Promise<SessionContents> {
  const hash = createHash('sha256');
  const contents: SessionContents = {
    issueFiles: [],
    downloads: [],
    failureMarkers: [],
    unrecognized: [],
    fingerprint: '',
  };
  const top = await listDir(dir);
  const infos = await statFiles(dir, top);
  for (const entry of top) {
    const abs = join(dir, entry.name);
    if (entry.dir) {
      if (entry.name === 'issues') await scanIssuesDir(abs, contents, hash);
      else if (entry.name === 'attachments') await scanAttachments(abs, contents, hash);
      continue;
    }
    if (!entry.file) continue;
    const info = infos.get(entry.name)!;
    hash.update(`${entry.name}\0${info.size}\0${info.mtimeMs}\n`);
    if (entry.name === 'metadata.json') {
      contents.metadataPath = abs;
      continue;
    }
    const marker = parseFailureMarker(entry.name);
    if (marker) {
      contents.failureMarkers.push({ relPath: entry.name, timestamp: marker.timestamp });
      continue;
    }
    if (!entry.name.endsWith('.json') || KNOWN_NON_ISSUE_JSON.has(entry.name)) continue;
    const parsed = parseIssueFileName(entry.name);
    if (!parsed) {
      contents.unrecognized.push(entry.name);
      continue;
    }
    contents.issueFiles.push({
      relPath: entry.name,
      absPath: abs,
      nameIssueId: parsed.issueId,
      timestamp: parsed.timestamp,
      size: info.size,
    });
  }
  contents.fingerprint = hash.digest('hex');
  return contents;
}

async function scanIssuesDir(
  dir: string,
  contents: SessionContents,
  hash: ReturnType<typeof createHash>,
): Promise<void> {
  const entries = (await listDir(dir)).filter((e) => e.file && e.name.endsWith('.json'));
  const infos = await statFiles(dir, entries);
  for (const entry of entries) {
    const abs = join(dir, entry.name);
    const info = infos.get(entry.name)!;
    hash.update(`issues/${entry.name}\0${info.size}\0${info.mtimeMs}\n`);
    const timestamped = parseIssueFileName(entry.name);
    contents.issueFiles.push({
      relPath: `issues/${entry.name}`,
      absPath: abs,
      nameIssueId: timestamped ? timestamped.issueId : entry.name.slice(0, -'.json'.length),
      timestamp: timestamped?.timestamp,
      size: info.size,
    });
  }
}

async function scanAttachments(
  dir: string,
  contents: SessionContents,
  hash: ReturnType<typeof createHash>,
): Promise<void> {
  // One folder per crawled issue, most of them empty: listed all at once, used in order.
  const issueDirs = (await listDir(dir)).filter((e) => e.dir);
  const listed = await Promise.all(
    issueDirs.map(async (issueDir) => {
      const files = (await listDir(join(dir, issueDir.name))).filter((e) => e.file);
      return { files, infos: await statFiles(join(dir, issueDir.name), files) };
    }),
  );
  for (const [i, issueDir] of issueDirs.entries()) {
    const abs = join(dir, issueDir.name);
    const { files, infos } = listed[i];
    for (const file of files) {
      // `<name>.txt` beside `<name>` is the crawler's extracted-text preview, not a download.
      if (file.name.endsWith('.txt') && infos.has(file.name.slice(0, -4))) continue;
      const fileAbs = join(abs, file.name);
      const info = infos.get(file.name)!;
      const rel = `attachments/${issueDir.name}/${file.name}`;
      hash.update(`${rel}\0${info.size}\0${info.mtimeMs}\n`);
      const preview = infos.has(`${file.name}.txt`) ? join(abs, `${file.name}.txt`) : undefined;
      if (preview) {
        const p = infos.get(`${file.name}.txt`)!;
        hash.update(`${rel}.txt\0${p.size}\0${p.mtimeMs}\n`);
      }
      contents.downloads.push({
        issueId: issueDir.name,
        fileName: file.name,
        relPath: rel,
        absPath: fileAbs,
        size: info.size,
        previewPath: preview,
      });
    }
  }
}

/**
 * The size and modification time of each file entry of `dir`, by name, asked for all at once:
 * awaiting one `fs.promises.stat` after another cost about 60 µs of CPU a file (0.3 s per 5,000
 * files), in parallel through fs's callbacks about 15 µs (docs/performance.md).
 */
function statFiles(dir: string, entries: DirEntry[]): Promise<Map<string, Stats>> {
  const files = entries.filter((e) => e.file);
  return Promise.all(
    files.map(
      (e) =>
        new Promise<Stats>((resolve, reject) =>
          statCallback(join(dir, e.name), (err, info) => (err ? reject(err) : resolve(info))),
        ),
    ),
  ).then((infos) => new Map(files.map((e, i) => [e.name, infos[i]])));
}

export interface DirEntry {
  name: string;
  file: boolean;
  dir: boolean;
}

/**
 * A directory's entries in code-unit order (the same on every machine), symbolic links
 * followed: a dump mounted or copied as links is read like any other (a dangling link is
 * neither file nor folder).
 */
export async function listDir(dir: string): Promise<DirEntry[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const out = await Promise.all(
    entries.map(async (e): Promise<DirEntry> => {
      if (!e.isSymbolicLink()) return { name: e.name, file: e.isFile(), dir: e.isDirectory() };
      try {
        const target = await stat(join(dir, e.name));
        return { name: e.name, file: target.isFile(), dir: target.isDirectory() };
      } catch {
        return { name: e.name, file: false, dir: false };
      }
    }),
  );
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
