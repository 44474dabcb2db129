import {
  createReadStream,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  createWriteStream,
  existsSync,
} from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import pLimit from 'p-limit';
import { createPool, discoverSessions, readSession, withRetry, writeSession } from './loader';
import { addRows, emptyResult, RunResult } from './result';
import type { SessionRows } from '../src/db/write-session';

/**
 * The database floor: what PostgreSQL needs for a corpus when the client costs nothing. The
 * loader's readSession turns every session into the exact COPY text and staging rows it would
 * send (prepareFloor, before any timing); runFloor then hands them, streamed straight from disk,
 * to the loader's own writeSession (the same transaction per session as src/ingest/session.ts),
 * with the same concurrency.
 */

interface PreparedSession {
  identity: string;
  uuid: string;
  contentHash: string;
  copy: SessionRows['copy'];
  files: number;
  bytes: number;
  fileCopy: string;
  downloadCopy: string;
  sessionRow: object;
  problems: object[];
}

const TIMEZONE = 'Asia/Seoul';

/** Writes the staging data of every session under `root` (the first `limit`) to `dir`. */
export async function prepareFloor(root: string, dir: string, limit?: number): Promise<void> {
  const marker = join(dir, 'sessions.json');
  const corpus = readFileSync(join(root, 'corpus.json'), 'utf8');
  if (existsSync(marker)) {
    const prev = JSON.parse(readFileSync(marker, 'utf8')) as { corpus: string; limit?: number };
    if (prev.corpus === corpus && prev.limit === limit) return;
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const refs = (await discoverSessions(root)).slice(0, limit);
  const prepared: PreparedSession[] = [];
  for (const [i, ref] of refs.entries()) {
    const read = await readSession(ref, { timezone: TIMEZONE, defaultUser: 'unknown' });
    const fileCopy = join(dir, `${i}.stage_file.copy`);
    const downloadCopy = join(dir, `${i}.stage_download.copy`);
    await writeChunks(fileCopy, read.fileRows);
    await writeChunks(downloadCopy, read.downloadRows);
    prepared.push({
      identity: ref.identity,
      uuid: read.uuid,
      contentHash: read.contentHash,
      copy: read.copy,
      files: read.contents.issueFiles.length,
      bytes: read.stats.bytes,
      fileCopy,
      downloadCopy,
      sessionRow: read.sessionRow(),
      problems: read.problemRows(),
    });
  }
  writeFileSync(join(dir, 'prepared.json'), JSON.stringify(prepared));
  writeFileSync(marker, JSON.stringify({ corpus, limit }));
}

async function writeChunks(path: string, chunks: AsyncIterable<string | Buffer>): Promise<void> {
  const out = createWriteStream(path);
  for await (const chunk of chunks) {
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** Replays the prepared sessions of `dir`, `concurrency` at a time. */
export async function runFloor(url: string, dir: string, concurrency: number): Promise<RunResult> {
  const prepared = JSON.parse(readFileSync(join(dir, 'prepared.json'), 'utf8')) as PreparedSession[];
  const pool = createPool({ connectionString: url, max: concurrency + 1 });
  const result = emptyResult();
  const limit = pLimit(concurrency);
  const started = performance.now();
  try {
    await Promise.all(
      prepared.map((s) =>
        limit(async () => {
          try {
            const written = await withRetry(() =>
              writeSession(
                pool,
                {
                  identity: s.identity,
                  uuid: s.uuid,
                  contentHash: s.contentHash,
                  copy: s.copy,
                  fileRows: createReadStream(s.fileCopy, { highWaterMark: 256 * 1024 }),
                  downloadRows: createReadStream(s.downloadCopy, { highWaterMark: 256 * 1024 }),
                  sessionRow: () => s.sessionRow,
                  problemRows: () => s.problems,
                },
                // Every prepared session is written, whatever the database already holds.
                { timezone: TIMEZONE, force: true, claim: 'none' },
              ),
            );
            result.copyMs += written.copyMs;
            result.mergeMs += written.mergeMs;
            addRows(result, written.rows);
            result.sessions++;
            result.files += s.files;
            result.bytes += s.bytes;
          } catch (err) {
            result.failures.push(`${s.identity}: ${(err as Error).message}`);
          }
        }),
      ),
    );
    result.wallMs = performance.now() - started;
  } finally {
    await pool.end();
  }
  return result;
}
