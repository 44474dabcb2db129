import { withRetry } from '../../src/db/pool';
import { connectTimeoutSeconds } from '../../src/db/pool';
import { isRefusedData, transientKind } from '../../src/db/transient';
import { IngestError } from '../../src/errors';

/** The one table of transient failures, and the retry loop that uses it. */

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('transientKind', () => {
  it.each([
    ['57P01', 'connection'],
    ['57P02', 'connection'],
    ['57P03', 'connection'],
    ['53300', 'connection'],
    ['08006', 'connection'],
    ['08001', 'connection'],
    ['40001', 'contention'],
    ['40P01', 'contention'],
    ['ECONNREFUSED', 'connection'],
    ['ECONNRESET', 'connection'],
    ['EPIPE', 'connection'],
    ['ETIMEDOUT', 'timeout'],
  ])('%s is %s', (code, kind) => {
    expect(transientKind(pgError(code))).toBe(kind);
  });

  it('knows node-postgres messages for a dead connection and a connect timeout', () => {
    expect(transientKind(new Error('Connection terminated unexpectedly'))).toBe('connection');
    expect(transientKind(new Error('Connection terminated due to connection timeout'))).toBe('timeout');
    expect(transientKind(new Error('timeout exceeded when trying to connect'))).toBe('timeout');
  });

  it('takes ENOENT as an outage only for a PostgreSQL socket', () => {
    expect(transientKind(Object.assign(new Error('connect ENOENT /tmp/pg/.s.PGSQL.5432'), { code: 'ENOENT' }))).toBe(
      'connection',
    );
    expect(
      transientKind(
        Object.assign(new Error("ENOENT: no such file or directory, scandir '/data/x'"), { code: 'ENOENT' }),
      ),
    ).toBeUndefined();
  });

  it('never retries data errors, permissions or syntax', () => {
    for (const code of ['22P02', '54001', '42501', '42601', '23505'])
      expect(transientKind(pgError(code))).toBeUndefined();
  });

  it('looks through an AggregateError and an IngestError to the cause', () => {
    expect(transientKind(new AggregateError([pgError('ECONNREFUSED')], ''))).toBe('connection');
    expect(transientKind(new IngestError('DATABASE_UNAVAILABLE', 'down', { cause: pgError('57P03') }))).toBe(
      'connection',
    );
  });

  it('calls class 22 and 54 refused data', () => {
    expect(isRefusedData(pgError('54001'))).toBe(true);
    expect(isRefusedData(pgError('22P05'))).toBe(true);
    expect(isRefusedData(pgError('57P01'))).toBe(false);
  });
});

describe('withRetry', () => {
  it('retries a transient failure with growing, capped delays, then succeeds', async () => {
    const delays: number[] = [];
    let calls = 0;
    const result = await withRetry(
      async () => {
        if (++calls < 6) throw pgError('57P03');
        return 'ok';
      },
      { baseDelayMs: 4, maxDelayMs: 20, onRetry: (_a, _e, delay) => delays.push(delay) },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(6);
    // Upper half of min(cap, base * 2^n): [2,4] [4,8] [8,16] [10,20] [10,20].
    const bounds = [
      [2, 4],
      [4, 8],
      [8, 16],
      [10, 20],
      [10, 20],
    ];
    delays.forEach((d, i) => {
      expect(d).toBeGreaterThanOrEqual(bounds[i][0]);
      expect(d).toBeLessThanOrEqual(bounds[i][1]);
    });
  });

  it('throws a non-transient error at once', async () => {
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        throw pgError('23505', 'duplicate');
      }),
    ).rejects.toThrow('duplicate');
    expect(calls).toBe(1);
  });

  it('gives up after giveUpMs with the last error', async () => {
    let calls = 0;
    const started = Date.now();
    await expect(
      withRetry(
        async () => {
          calls++;
          throw pgError('57P01', `attempt ${calls}`);
        },
        { giveUpMs: 150, baseDelayMs: 10, maxDelayMs: 40 },
      ),
    ).rejects.toThrow(/attempt \d+/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(calls).toBeGreaterThan(2);
  });

  it('stops waiting when its signal aborts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    await expect(
      withRetry(
        async () => {
          throw pgError('ECONNREFUSED', 'refused');
        },
        { giveUpMs: Infinity, baseDelayMs: 1000, signal: controller.signal },
      ),
    ).rejects.toThrow('refused');
    expect(Date.now() - started).toBeLessThan(900);
  });
});

it('takes the connect timeout from the URL, else the fallback', () => {
  expect(connectTimeoutSeconds('postgresql://u@h/db?connect_timeout=3', 15)).toBe(3);
  expect(connectTimeoutSeconds('postgresql://u@h/db?sslmode=off&connect_timeout=0', 15)).toBe(0);
  expect(connectTimeoutSeconds('postgresql://u@h/db', 15)).toBe(15);
  expect(connectTimeoutSeconds(undefined, 7)).toBe(7);
});
