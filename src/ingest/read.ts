import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { parser as jsonParser } from 'stream-json';
import Assembler from 'stream-json/Assembler';
import { IngestError } from '../errors';

type Token = Parameters<Assembler['consume']>[0];

/**
 * Reads one JSON file through stream-json: the bytes are parsed as they arrive and only the
 * assembled value is kept, so a file costs its own size in memory once, never twice (no
 * whole-file string next to the parsed object). Errors name the file and say what is wrong;
 * a half-written file (the crawler writes without rename, docs/input-format.md §5) reads as
 * "ends before the JSON value is complete".
 */
export async function readJsonFile(path: string, shownAs: string = path): Promise<unknown> {
  const assembler = new Assembler();
  let values = 0;
  let blank = true;
  const source = createReadStream(path, { highWaterMark: 256 * 1024 });
  source.on('data', (chunk) => {
    if (blank && /\S/.test(chunk.toString('latin1'))) blank = false;
  });
  const parser = jsonParser();
  try {
    await pipeline(source, parser, async (tokens: AsyncIterable<Token>) => {
      for await (const token of tokens) {
        assembler.consume(token);
        if (assembler.done) values++;
      }
    });
  } catch (err) {
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
  }
  if (values === 0 || !assembler.done) {
    throw new IngestError('PARSE_FAILED', `${shownAs}: ends before the JSON value is complete (half-written?)`, { file: path });
  }
  return assembler.current;
}
