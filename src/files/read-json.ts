import * as fs from 'node:fs';
import { FileHandle, open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { parser as jsonParser } from 'stream-json';
import Assembler from 'stream-json/Assembler';
import { IngestError } from '../errors';
import { PARSE_READ_BYTES, WHOLE_READ_MAX_BYTES } from './size-limits';

/** One token of stream-json's parser: startObject, keyValue, stringValue, numberValue (its text)... */
export type JsonToken = Parameters<Assembler['consume']>[0];

export { WHOLE_READ_MAX_BYTES };

/**
 * Reads one JSON file. An issue file is a few kB: it is read whole and given to JSON.parse.
 * A larger file is parsed as its bytes arrive (stream-json) and only the assembled value is
 * kept, so it costs its own size in memory once, never twice (no whole-file string next to the
 * parsed object). Errors always come from the streaming reader, which names the file and says
 * what is wrong; a half-written file (the crawler writes without rename,
 * docs/input-format.md §5) reads as "ends before the JSON value is complete".
 */
export async function readJsonFile(path: string, shownAs: string = path): Promise<unknown> {
  const text = await readSmallFile(path);
  if (text !== undefined) {
    try {
      return JSON.parse(text);
    } catch {
      // Not valid (yet): the streaming reader below finds out what is wrong, and says it.
    }
  }
  return streamJsonFile(path, shownAs);
}

// Small files are read synchronously while they come from the page cache, through the thread
// pool while they come from the disk. A page-cached file of a few kB takes 10-30 us; one from
// the disk 0.1-10 ms. The average of the recent synchronous reads decides (one slow read is
// more likely a pause of the process than the disk); the thread pool is used for ASYNC_FOR_MS,
// then a synchronous read is tried again.
let asyncUntil = 0;
let recentMs = 0;
const SLOW_AVERAGE_MS = 1;
const ASYNC_FOR_MS = 2000;

/**
 * The file's text when it is a regular file of at most WHOLE_READ_MAX_BYTES, else undefined
 * (the streaming reader then meets the same error and describes it). From the page cache,
 * one synchronous open-fstat-read-close takes microseconds, while each asynchronous call costs
 * a thread-pool round trip and a callback, four per file (at 50,000 files about 2 s of the
 * loader's CPU, docs/performance.md change 17). From the disk, a synchronous read waits with
 * nothing else in flight, where the thread pool keeps several reads going (file-rows.ts reads
 * ahead): the recent reads' times choose between the two.
 */
function readSmallFile(path: string): string | undefined | Promise<string | undefined> {
  const started = performance.now();
  if (started < asyncUntil) return readSmallFileAsync(path);
  const text = readSmallFileSync(path);
  recentMs = 0.9 * recentMs + 0.1 * (performance.now() - started);
  if (recentMs > SLOW_AVERAGE_MS) {
    asyncUntil = performance.now() + ASYNC_FOR_MS;
    recentMs = 0;
  }
  return text;
}

/** A regular file small enough to be read whole. */
function wholeReadable(info: fs.Stats): boolean {
  return info.isFile() && info.size <= WHOLE_READ_MAX_BYTES;
}

const MORE = Symbol('read on');

/**
 * What a whole read of a file of `size` bytes has so far, once it reached `end` with a last
 * read of `n` bytes into a buffer of size + 1 (one byte more, so that a file that grew since
 * its size was taken is not read as cut short): undefined when it grew (the streaming reader
 * takes it as it is now); its text when all of it was read, or the end came sooner (it shrank:
 * what is there); MORE after a short read before the end.
 */
function afterRead(buffer: Buffer, size: number, end: number, n: number): string | undefined | typeof MORE {
  if (end > size) return undefined;
  if (end === size || n === 0) return buffer.toString('utf8', 0, end);
  return MORE;
}

export function readSmallFileSync(path: string): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const info = fs.fstatSync(fd);
    if (!wholeReadable(info)) return undefined;
    const buffer = Buffer.allocUnsafe(info.size + 1);
    for (let end = 0; ;) {
      const n = fs.readSync(fd, buffer, end, buffer.length - end, end);
      end += n;
      const text = afterRead(buffer, info.size, end, n);
      if (text !== MORE) return text;
    }
  } catch {
    return undefined;
  } finally {
    try {
      fs.closeSync(fd);
    } catch {
      // nothing was read that depends on it
    }
  }
}

/** The same, through fs's callbacks (the thread pool), for files read from the disk. */
export function readSmallFileAsync(path: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    fs.open(path, 'r', (openError, fd) => {
      if (openError) return resolve(undefined);
      const done = (text?: string) => {
        fs.close(fd, () => undefined);
        resolve(text);
      };
      fs.fstat(fd, (statError, info) => {
        if (statError || !wholeReadable(info)) return done();
        const buffer = Buffer.allocUnsafe(info.size + 1);
        const readFrom = (offset: number): void => {
          fs.read(fd, buffer, offset, buffer.length - offset, offset, (readError, n) => {
            if (readError) return done();
            const text = afterRead(buffer, info.size, offset + n, n);
            if (text === MORE) readFrom(offset + n);
            else done(text);
          });
        };
        readFrom(0);
      });
    });
  });
}

/** The streaming reader: the file's tokens assembled into its value. */
async function streamJsonFile(path: string, shownAs: string): Promise<unknown> {
  const assembler = new Assembler();
  await parseJsonTokens(path, shownAs, (token) => {
    assembler.consume(token);
  });
  return assembler.current;
}

/** A file's size and modification time, as they were when it was opened. */
export interface FileStamp {
  size: number;
  mtimeMs: number;
}

/**
 * Parses the JSON file at `path` as its bytes arrive (stream-json) and hands each token to
 * `consume`, which returns false when it has seen enough: reading then stops, and nothing more
 * is checked. `onBytes` sees the file's bytes as they are read. Errors name the file as
 * `shownAs` and say what is wrong; a half-written file (the crawler writes without rename,
 * docs/input-format.md §5) reads as "ends before the JSON value is complete". Returns the
 * file's stamp as it was when opened.
 */
export async function parseJsonTokens(
  path: string,
  shownAs: string,
  consume: (token: JsonToken) => boolean | void,
  onBytes?: (chunk: Buffer) => void,
): Promise<FileStamp> {
  let handle: FileHandle | undefined;
  let stamp: FileStamp | undefined;
  let depth = 0;
  let complete = false;
  let stopped = false;
  let blank = true;
  // Packed values only: each key, string and number is one whole token; the per-chunk tokens
  // would be waste.
  const parser = jsonParser({ streamValues: false });
  try {
    handle = await open(path, 'r');
    const info = await handle.stat();
    stamp = { size: info.size, mtimeMs: info.mtimeMs };
    const source = handle.createReadStream({ highWaterMark: PARSE_READ_BYTES, autoClose: false });
    source.on('data', (chunk) => {
      const bytes = chunk as Buffer; // no encoding given: bytes
      if (blank && /\S/.test(bytes.toString('latin1'))) blank = false;
      onBytes?.(bytes);
    });
    await pipeline(source, parser, async (tokens: AsyncIterable<JsonToken>) => {
      for await (const token of tokens) {
        if (token.name === 'startObject' || token.name === 'startArray') depth++;
        else if (token.name === 'endObject' || token.name === 'endArray') depth--;
        if (depth === 0) complete = true;
        if (consume(token) === false) {
          // Leaving the loop aborts the pipeline: the rejection that follows is this stop.
          stopped = true;
          return;
        }
      }
    });
  } catch (err) {
    if (stopped) return stamp!;
    const code = (err as NodeJS.ErrnoException).code;
    const reason = (err as Error).message
      .replace(/^Parser cannot parse input: /, '')
      .replace(/^Parser has expected/, 'expected');
    // stream-json 1.x sets _done when its input has ended: an error then means the value was
    // cut short, not malformed.
    const ended = (parser as unknown as { _done?: boolean })._done === true;
    let text: string;
    if (code && /^E[A-Z]+$/.test(code)) text = `cannot read: ${reason}`;
    else if (ended && blank) text = 'the file is empty';
    else if (ended) text = `ends before the JSON value is complete (half-written?): ${reason}`;
    else text = `not valid JSON: ${reason}`;
    throw new IngestError('PARSE_FAILED', `${shownAs}: ${text}`, { file: path, cause: err });
  } finally {
    await handle?.close().catch(() => undefined);
  }
  // A stop ends the pipeline early, with or without a rejection: either way it is not a cut file.
  if (!complete && !stopped) {
    throw new IngestError('PARSE_FAILED', `${shownAs}: ends before the JSON value is complete (half-written?)`, {
      file: path,
    });
  }
  return stamp;
}
