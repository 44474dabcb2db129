import { open } from 'node:fs/promises';
import { describeError, IngestError } from '../errors';
import { encodeCopyRow, encodeCopyValue } from './copy-text';
import { compactToKey } from './crawler-names';
import { Problem, problem as makeProblem, ProblemList } from './session-errors';
import { readJsonFile } from './read-json';
import {
  COPY_CHUNK_CHARS as CHUNK,
  MAX_PREVIEW_BYTES,
  PIECEWISE_JSON_ABOVE_BYTES as BIG_FILE_BYTES,
  READ_AHEAD_BYTES,
  WHOLE_READ_MAX_BYTES,
} from './size-limits';
import { repairIssue } from './repair';
import { DownloadedFile, IssueFile } from './session-folder';
import { verbatimText } from './passthrough';
import { checkBigIssue, repairedText } from './repair-stream';

/**
 * The COPY rows of a session, produced file by file (pull: the COPY stream asks for the next
 * chunk only when it has room, so memory holds the few files read ahead, at most 4 MiB of them,
 * whatever the session's size; a big file is streamed, as its own text if it needs no repair
 * (passthrough.ts), else repaired on its token stream (repair-stream.ts), the rare one that
 * cannot be excepted). Unreadable files become problems and are skipped; the rest of the session
 * loads.
 */

export interface IssueRowStats {
  staged: number;
  rejected: number;
  /** Time spent reading, parsing and encoding, in ms (the rest of the COPY is the database). */
  readMs: number;
  bytes: number;
  /** Of `rejected`, the crawler's expired-login pages (unknown_<ts>.json): failed issues of the crawl, not unreadable files. */
  loginExpired?: number;
}

export interface IssueRowOptions {
  /**
   * Files larger than this many bytes are checked on stream-json's token stream and sent as their
   * own text (passthrough.ts) or repaired on it (repair-stream.ts). Default WHOLE_READ_MAX_BYTES:
   * below it JSON.parse of the whole file is much faster than the token stream, and its memory is
   * bounded. Tests lower it; Infinity sends every file the old way.
   */
  verbatimAbove?: number;
}

// Files are read a few ahead of the one being encoded, so the file system's latency (several
// thread-pool round trips per file) overlaps the parsing instead of adding to it. Bounded in
// bytes too (READ_AHEAD_BYTES), so a large file is read alone.
const READ_AHEAD_FILES = 8;

/** Rows of stage_file (file_no, rel_path, issue_id, crawl_order, crawled_key, doc). */
export async function* issueRows(
  files: IssueFile[],
  fallbackKey: string,
  problems: ProblemList,
  stats: IssueRowStats,
  options: IssueRowOptions = {},
): AsyncGenerator<string> {
  const verbatimAbove = options.verbatimAbove ?? WHOLE_READ_MAX_BYTES;
  // The rows of files[i], files[i + 1] ... files[next - 1], being read.
  const ahead: Promise<FileRow>[] = [];
  let next = 0;
  let aheadBytes = 0;
  let buffer = '';
  for (let i = 0; i < files.length; i++) {
    const started = performance.now();
    while (
      next < files.length &&
      ahead.length < READ_AHEAD_FILES &&
      (ahead.length === 0 || aheadBytes + files[next].size <= READ_AHEAD_BYTES)
    ) {
      ahead.push(fileRow(files[next], next + 1, fallbackKey, verbatimAbove));
      aheadBytes += files[next].size;
      next++;
    }
    const file = files[i];
    aheadBytes -= file.size;
    const { head, json, pieces, problem } = await ahead.shift()!;
    if (head !== undefined) {
      stats.staged++;
      stats.bytes += file.size;
    } else {
      stats.rejected++;
      if (problem?.detail?.code === 'LOGIN_EXPIRED') stats.loginExpired = (stats.loginExpired ?? 0) + 1;
    }
    if (problem) problems.add(problem);
    stats.readMs += performance.now() - started;
    if (head === undefined) continue;
    buffer += head;
    if (json !== undefined) {
      buffer += encodeCopyValue(json);
    } else if (pieces !== undefined) {
      // A big document, piece by piece: its JSON text never exists whole.
      for await (const piece of pieces) {
        buffer += encodeCopyValue(piece);
        if (buffer.length >= CHUNK) {
          yield buffer;
          buffer = '';
        }
      }
    }
    buffer += '\n';
    if (buffer.length >= CHUNK) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer) yield buffer;
}

interface FileRow {
  /** The COPY row up to its last column (file_no ... crawled_key, each followed by a tab); undefined when the file could not be read. */
  head?: string;
  /** The last column, the document as JSON text, not yet COPY-escaped (a small document)... */
  json?: string;
  /**
   * ...or that text in pieces (a big document): the repaired document taken apart as it is
   * written out (drainJson); for a big file that needs no repair, the file's own text as it was
   * checked (verbatimText); for one that needs a repair, its repaired text, written as the file
   * is read again (repairedText). The generators start reading only when asked.
   */
  pieces?: Iterable<string> | AsyncIterable<string>;
  /** The repairs made, or why the file was not loaded. */
  problem?: Problem;
}

/**
 * The text of JSON.stringify(value), in pieces: objects and lists of the first two levels are
 * walked (an issue file's comment list is one of them), anything deeper is stringified whole.
 * The value is taken apart as it is written, so what is already out can be collected while the
 * rest is still being written: at no moment are the document and its whole text both in memory.
 */
function* drainJson(value: unknown, depth: number): Generator<string> {
  if (depth >= 2 || value === null || typeof value !== 'object') {
    yield JSON.stringify(value) ?? 'null';
  } else if (Array.isArray(value)) {
    yield '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) yield ',';
      yield* drainJson(value[i], depth + 1);
      value[i] = null;
    }
    yield ']';
  } else {
    const obj = value as Record<string, unknown>;
    yield '{';
    let first = true;
    for (const key of Object.keys(obj)) {
      if (obj[key] === undefined) continue;
      yield `${first ? '' : ','}${JSON.stringify(key)}:`;
      first = false;
      yield* drainJson(obj[key], depth + 1);
      obj[key] = null;
    }
    yield '}';
  }
}

/** One issue file as its COPY row; never rejects (an unreadable file is a problem, not an error). */
async function fileRow(file: IssueFile, fileNo: number, fallbackKey: string, verbatimAbove: number): Promise<FileRow> {
  try {
    if (file.size > verbatimAbove) {
      const check = await checkBigIssue(file.absPath, file.relPath);
      // Checked to need no repair: the file's own text is the document.
      if (check.verbatim) {
        nameMatches(file, check.issueId);
        return {
          head: rowHead(file, fileNo, fallbackKey, check),
          pieces: verbatimText(file.absPath, file.relPath, check.stamp),
        };
      }
      // Repaired as its tokens are read again.
      if ('plan' in check) {
        nameMatches(file, check.plan.issueId);
        return {
          head: rowHead(file, fileNo, fallbackKey, check.plan),
          pieces: repairedText(file.absPath, file.relPath, check.stamp, check.plan),
          problem: repairProblem(file, check.plan),
        };
      }
    }
    // The parsed value is ours alone: repaired in place, and gone once it is JSON text again.
    const issue = repairIssue(await readJsonFile(file.absPath, file.relPath), file.relPath, { inPlace: true });
    nameMatches(file, issue.issueId);
    return {
      head: rowHead(file, fileNo, fallbackKey, issue),
      ...(file.size > BIG_FILE_BYTES ? { pieces: drainJson(issue.doc, 0) } : { json: JSON.stringify(issue.doc) }),
      problem: repairProblem(file, issue),
    };
  } catch (err) {
    return {
      problem: fileProblem(
        file,
        'parse',
        'error',
        err instanceof IngestError ? err.message : `${file.relPath}: ${describeError(err)}`,
        {
          code: err instanceof IngestError ? err.code : 'PARSE_FAILED',
          size: file.size,
        },
      ),
    };
  }
}

/** The warning listing a file's repairs, if it had any. */
function repairProblem(file: IssueFile, issue: { issueId: string; repairs: string[] }): Problem | undefined {
  if (issue.repairs.length === 0) return undefined;
  return fileProblem(file, 'repair', 'warning', `${file.relPath}: ${issue.repairs.join('; ')}`, {
    issue_id: issue.issueId,
    repairs: issue.repairs,
  });
}

/**
 * A file named for one issue that holds another is not loaded: its content would overwrite
 * the other issue with what is, by its name, a different page (docs/input-format.md §3.2).
 * `unknown_<ts>.json` names no issue.
 */
function nameMatches(file: IssueFile, issueId: string): void {
  if (file.nameIssueId === 'unknown' || file.nameIssueId === issueId) return;
  throw new IngestError(
    'INVALID_ISSUE',
    `${file.relPath}: the file name says issue ${file.nameIssueId} but its issue_id is ${issueId}; not loaded (it would overwrite issue ${issueId})`,
    { file: file.absPath },
  );
}

/** A problem of the issue file `file`, keyed `<kind>:<rel_path>`. */
function fileProblem(
  file: IssueFile,
  kind: 'repair' | 'parse',
  severity: Problem['severity'],
  message: string,
  detail: Problem['detail'],
): Problem {
  return makeProblem(`${kind}:${file.relPath}`, 'parsing', severity, message, {
    detail,
    file: file.absPath,
    occurredRaw: file.timestamp,
  });
}

/** The COPY row up to its last column: file_no, rel_path, issue_id, crawl_order, crawled_key, each followed by a tab. */
function rowHead(
  file: IssueFile,
  fileNo: number,
  fallbackKey: string,
  issue: { issueId: string; crawlOrder: number | null; crawledKey?: string },
): string {
  const crawledKey = issue.crawledKey ?? (file.timestamp ? compactToKey(file.timestamp) : fallbackKey);
  return [fileNo, file.relPath, issue.issueId, issue.crawlOrder, crawledKey].map(encodeCopyValue).join('\t') + '\t';
}

/** Rows of stage_download (issue_id, file_name, rel_path, size_bytes, extracted_text). */
export async function* downloadRows(downloads: DownloadedFile[], problems: ProblemList): AsyncGenerator<string> {
  for (const d of downloads) {
    let text: string | null = null;
    if (d.previewPath) {
      try {
        text = await readPreview(d.previewPath, d.relPath, problems);
      } catch (err) {
        problems.add(
          makeProblem(
            `preview:${d.relPath}`,
            'reading',
            'warning',
            `${d.relPath}.txt: cannot read the text preview: ${describeError(err)}`,
            { file: d.previewPath },
          ),
        );
      }
    }
    yield encodeCopyRow([d.issueId, d.fileName, d.relPath, d.size, text]);
  }
}

async function readPreview(path: string, relPath: string, problems: ProblemList): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, MAX_PREVIEW_BYTES);
    const buf = Buffer.alloc(length);
    await handle.read(buf, 0, length, 0);
    let text = buf.toString('utf8');
    if (size > MAX_PREVIEW_BYTES) {
      text = text.replace(/\uFFFD$/, '');
      problems.add(
        makeProblem(
          `preview-cut:${relPath}`,
          'reading',
          'warning',
          `${relPath}.txt: preview of ${size} bytes cut to ${MAX_PREVIEW_BYTES} bytes for extracted_text`,
          { detail: { size }, file: path },
        ),
      );
    }
    if (text.includes('\0')) {
      text = text.replace(/\0/g, '');
      problems.add(
        makeProblem(
          `preview-nul:${relPath}`,
          'parsing',
          'warning',
          `${relPath}.txt: removed NUL characters from the text preview`,
          { file: path },
        ),
      );
    }
    return text;
  } finally {
    await handle.close();
  }
}
