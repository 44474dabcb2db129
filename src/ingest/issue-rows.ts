import { open } from 'node:fs/promises';
import { describeError, IngestError } from '../errors';
import { encodeCopyRow } from './encode';
import { compactToKey } from './names';
import { ProblemList } from './problems';
import { readJsonFile } from './read';
import { repairIssue } from './repair';
import { DownloadedFile, IssueFile } from './scan';

/**
 * The COPY rows of a session, produced one file at a time (pull: the COPY stream asks for the
 * next chunk only when it has room, so memory holds about one file, whatever the session's
 * size). Unreadable files become problems and are skipped; the rest of the session loads.
 */

export interface IssueRowStats {
  staged: number;
  rejected: number;
  /** Time spent reading, parsing and encoding, in ms (the rest of the COPY is the database). */
  readMs: number;
  bytes: number;
}

const CHUNK = 64 * 1024;

/** Rows of stage_file (file_no, rel_path, issue_id, crawl_order, crawled_key, doc). */
export async function* issueRows(
  files: IssueFile[],
  fallbackKey: string,
  problems: ProblemList,
  stats: IssueRowStats,
): AsyncGenerator<string> {
  let buffer = '';
  for (let i = 0; i < files.length; i++) {
    const file = files[i];
    const started = performance.now();
    let line: string | undefined;
    try {
      const value = await readJsonFile(file.absPath, file.relPath);
      const issue = repairIssue(value, file.relPath);
      if (issue.repairs.length > 0) {
        problems.add({
          error_key: `repair:${file.relPath}`,
          error_type: 'parsing',
          severity: 'warning',
          message: `${file.relPath}: ${issue.repairs.join('; ')}`,
          detail: { issue_id: issue.issueId, repairs: issue.repairs },
          file_path: file.absPath,
          occurred_raw: file.timestamp ?? null,
        });
      }
      const crawledKey = issue.crawledKey ?? (file.timestamp ? compactToKey(file.timestamp) : fallbackKey);
      line = encodeCopyRow([i + 1, file.relPath, issue.issueId, issue.crawlOrder, crawledKey, JSON.stringify(issue.doc)]);
      stats.staged++;
      stats.bytes += file.size;
    } catch (err) {
      stats.rejected++;
      problems.add({
        error_key: `parse:${file.relPath}`,
        error_type: 'parsing',
        severity: 'error',
        message: err instanceof IngestError ? err.message : `${file.relPath}: ${describeError(err)}`,
        detail: { code: err instanceof IngestError ? err.code : 'PARSE_FAILED', size: file.size },
        file_path: file.absPath,
        occurred_raw: file.timestamp ?? null,
      });
    }
    stats.readMs += performance.now() - started;
    if (line !== undefined) {
      buffer += line;
      if (buffer.length >= CHUNK) {
        yield buffer;
        buffer = '';
      }
    }
  }
  if (buffer) yield buffer;
}

// An extracted-text preview larger than this is cut (and the cut recorded): the text is for
// search, and a runaway preview must not hold a whole file in memory.
const MAX_PREVIEW_BYTES = 16 * 1024 * 1024;

/** Rows of stage_download (issue_id, file_name, rel_path, size_bytes, extracted_text). */
export async function* downloadRows(downloads: DownloadedFile[], problems: ProblemList): AsyncGenerator<string> {
  for (const d of downloads) {
    let text: string | null = null;
    if (d.previewPath) {
      try {
        text = await readPreview(d.previewPath, d.relPath, problems);
      } catch (err) {
        problems.add({
          error_key: `preview:${d.relPath}`,
          error_type: 'reading',
          severity: 'warning',
          message: `${d.relPath}.txt: cannot read the text preview: ${describeError(err)}`,
          detail: null,
          file_path: d.previewPath,
          occurred_raw: null,
        });
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
      problems.add({
        error_key: `preview-cut:${relPath}`,
        error_type: 'reading',
        severity: 'warning',
        message: `${relPath}.txt: preview of ${size} bytes cut to ${MAX_PREVIEW_BYTES} bytes for extracted_text`,
        detail: { size },
        file_path: path,
        occurred_raw: null,
      });
    }
    if (text.includes('\0')) {
      text = text.replace(/\0/g, '');
      problems.add({
        error_key: `preview-nul:${relPath}`,
        error_type: 'parsing',
        severity: 'warning',
        message: `${relPath}.txt: removed NUL characters from the text preview`,
        detail: null,
        file_path: path,
        occurred_raw: null,
      });
    }
    return text;
  } finally {
    await handle.close();
  }
}
