import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { liveLeases, splitLeases, takeLease } from '../../src/embedded/leases';
import { acquireLock, isStale, releaseLock, withLock } from '../../src/embedded/lock';
import { currentProcess, isAlive, parseProcessId, pidExists, ProcessProbe } from '../../src/embedded/owner';
import { IngestError } from '../../src/errors';
import { tempDirs } from './temp-tree';

const temp = tempDirs('embedded-lock');
afterAll(() => temp.cleanup());

/** A machine where only the pids in `running` (with their start times) exist. */
function probe(running: Record<number, string | undefined>, host = 'here'): ProcessProbe {
  return { host, exists: (pid) => pid in running, start: (pid) => running[pid] };
}

describe('isAlive', () => {
  it('needs the pid to exist and, when recorded, the same start time (a reused pid is dead)', () => {
    const machine = probe({ 10: '500', 11: undefined });
    expect(isAlive({ pid: 10, start: '500', host: 'here' }, machine)).toBe(true);
    expect(isAlive({ pid: 10, start: '499', host: 'here' }, machine)).toBe(false);
    expect(isAlive({ pid: 10, host: 'here' }, machine)).toBe(true);
    expect(isAlive({ pid: 11, start: '1', host: 'here' }, machine)).toBe(true); // start unknown: trust the pid
    expect(isAlive({ pid: 12, start: '1', host: 'here' }, machine)).toBe(false);
  });

  it('takes a holder on another host for alive: it cannot be checked from here', () => {
    expect(isAlive({ pid: 12, host: 'elsewhere' }, probe({}))).toBe(true);
  });

  it('sees this process alive, and a finished one dead', () => {
    expect(isAlive(currentProcess())).toBe(true);
    expect(pidExists(process.pid)).toBe(true);
    expect(pidExists(2 ** 22 + 1)).toBe(false); // above Linux's pid_max
  });

  it('parses only what names a process', () => {
    expect(parseProcessId('{"pid":5,"host":"h","start":"9","nonce":"x"}')).toEqual({ pid: 5, host: 'h', start: '9' });
    expect(parseProcessId('{"pid":"5","host":"h"}')).toBeUndefined();
    expect(parseProcessId('')).toBeUndefined();
    expect(parseProcessId('null')).toBeUndefined();
  });
});

describe('the instance lock', () => {
  it('is exclusive: concurrent holders in one process never overlap', async () => {
    const file = join(temp.make(), 'lock');
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 6 }, () =>
        withLock(file, async () => {
          most = Math.max(most, ++inside);
          await new Promise((r) => setTimeout(r, 15));
          inside--;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(existsSync(file)).toBe(false);
  });

  it('breaks the lock of a holder that died, and only that lock', async () => {
    const file = join(temp.make(), 'lock');
    writeFileSync(file, JSON.stringify({ pid: 4242, start: '7', host: hostname() }));
    const dead = probe({}, hostname());
    const token = await acquireLock(file, { probe: dead, timeoutMs: 2000 });
    expect(JSON.parse(readFileSync(file, 'utf8')).pid).toBe(process.pid);
    expect(existsSync(`${file}.break`)).toBe(false);
    await releaseLock(file, token);
    expect(existsSync(file)).toBe(false);
  });

  it('waits for a live holder, says so once after a second, and gives up with the holder named', async () => {
    const file = join(temp.make(), 'lock');
    writeFileSync(file, JSON.stringify({ pid: 77, host: hostname() }));
    const waits: unknown[] = [];
    const err = await acquireLock(file, {
      probe: probe({ 77: undefined }, hostname()),
      timeoutMs: 1500,
      onWait: (h) => waits.push(h),
    }).catch((e) => e);
    expect(err).toBeInstanceOf(IngestError);
    expect((err as IngestError).code).toBe('EMBEDDED_FAILED');
    expect((err as Error).message).toMatch(
      new RegExp(`^gave up after \\d+s waiting for the lock ${file}, held by ims-ingest pid 77 \\(for \\d+s\\)$`),
    );
    expect(waits).toEqual([{ pid: 77, host: hostname(), start: undefined }]);
  });

  it('takes over when the holder releases while it waits', async () => {
    const file = join(temp.make(), 'lock');
    const first = await acquireLock(file);
    setTimeout(() => void releaseLock(file, first), 100);
    const second = await acquireLock(file, { timeoutMs: 5000 });
    expect(second).not.toBe(first);
    expect(readFileSync(file, 'utf8')).toBe(second);
    await releaseLock(file, second);
    expect(existsSync(file)).toBe(false);
  });

  it('counts an empty lock file as stale only once it is old (its writer died between open and write)', () => {
    expect(isStale({ text: '', ageMs: 500 })).toBe(false);
    expect(isStale({ text: '', ageMs: 60_000 })).toBe(true);
  });

  it('does not release a lock that is no longer its own', async () => {
    const file = join(temp.make(), 'lock');
    writeFileSync(file, 'someone else');
    await releaseLock(file, 'my token');
    expect(readFileSync(file, 'utf8')).toBe('someone else');
  });
});

describe('leases', () => {
  it('counts the leases of live processes and prunes the rest under the lock', async () => {
    const dir = temp.make();
    const mine = await takeLease(dir);
    expect(mine).toMatch(new RegExp(`/${process.pid}-[0-9a-f]{8}\\.json$`));
    writeFileSync(join(dir, '999999-dead.json'), JSON.stringify({ pid: 2 ** 22 + 1, host: hostname() }));
    writeFileSync(join(dir, 'garbage.json'), 'not json');
    utimesSync(join(dir, 'garbage.json'), new Date(0), new Date(0));

    expect((await liveLeases(dir)).map((l) => l.file)).toEqual([mine]);
    expect(readdirSync(dir)).toHaveLength(3); // without prune: looked at, not touched
    expect((await liveLeases(dir, { prune: true })).map((l) => l.holder.pid)).toEqual([process.pid]);
    expect(readdirSync(dir)).toEqual([mine.split('/').pop()]);
  });

  it('treats a missing directory as no leases', async () => {
    expect(await liveLeases(join(temp.make(), 'none'))).toEqual([]);
  });

  it('splits by liveness, a reused pid being dead', () => {
    const machine = probe({ 1: 'a', 2: 'b' });
    const { live, dead } = splitLeases(
      [
        { file: 'x', holder: { pid: 1, start: 'a', host: 'here' } },
        { file: 'y', holder: { pid: 2, start: 'old', host: 'here' } },
        { file: 'z', holder: undefined },
        { file: 'w', holder: { pid: 3, host: 'there' } },
      ],
      machine,
    );
    expect(live.map((l) => l.file)).toEqual(['x', 'w']);
    expect(dead.map((l) => l.file)).toEqual(['y', 'z']);
  });
});
