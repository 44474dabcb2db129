import { symlinkSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { IngestError } from '../../src/errors';
import { discoverSessions, sessionRefForFolder } from '../../src/files/discover';
import { uuidV5 } from '../../src/files/crawler-names';
import { tempDirs, writeTree } from './temp-tree';

const FIXTURES = resolve(__dirname, '..', '..', 'fixtures');

const temp = tempDirs('discover');
afterAll(() => temp.cleanup());

const SHARED_X = 'OpenFrame_x_20260103_120855';

/** A crawler data/ directory with every layout, plus things that are not sessions. */
function dataDir(): string {
  const root = temp.make();
  writeTree(root, {
    [`users/alice/sessions/${SHARED_X}/347863_20260103_120902.json`]: '{}',
    'users/alice/sessions/Tibero_ORA-600_internal_error_20260105_091500/': '',
    'users/alice/sessions/.trash_20250101_000000/': '',
    'users/alice/sessions/stray.txt': 'a file, not a folder',
    'users/jdoe/sessions/OpenFrame_TPETIME_error_에러_오류_20251201_120855/metadata.json': '{}',
    'users/jdoe/sessions/Tibero_백업_복구_20251215_110000/issues/355002.json': '{}',
    'users/carol/': '',
    [`crawl_sessions/${SHARED_X}/`]: '',
    'crawl_sessions/ProSort_sort_memory_부족_20251220_080000/330001_20251220_080005.json': '{}',
    'history/query_history.json': '[]',
    'history/favorites.json': '[]',
  });
  return root;
}

async function discoverError(root: string): Promise<IngestError> {
  try {
    await discoverSessions(root);
  } catch (err) {
    expect(err).toBeInstanceOf(IngestError);
    return err as IngestError;
  }
  throw new Error(`expected discoverSessions(${root}) to fail`);
}

describe('discoverSessions on a data directory', () => {
  it('finds per-user, migrated and shared sessions, oldest folder timestamp first, then identity', async () => {
    const root = dataDir();
    const refs = await discoverSessions(root);
    expect(refs.map((r) => [r.identity, r.layout, r.user])).toEqual([
      ['jdoe/OpenFrame_TPETIME_error_에러_오류_20251201_120855', 'migrated', 'jdoe'],
      ['jdoe/Tibero_백업_복구_20251215_110000', 'migrated', 'jdoe'],
      ['ProSort_sort_memory_부족_20251220_080000', 'shared', undefined],
      // Same timestamp: code-unit order of the identity ('O' < 'a').
      [SHARED_X, 'shared', undefined],
      [`alice/${SHARED_X}`, 'per_user', 'alice'],
      ['alice/Tibero_ORA-600_internal_error_20260105_091500', 'per_user', 'alice'],
    ]);
  });

  it('fills every field: identity, uuid, user, folder name, absolute path, layout', async () => {
    const root = dataDir();
    const refs = await discoverSessions(root);
    const alice = refs.find((r) => r.identity === `alice/${SHARED_X}`);
    const shared = refs.find((r) => r.identity === SHARED_X);
    expect(alice).toEqual({
      identity: `alice/${SHARED_X}`,
      // Python: uuid.uuid5(uuid.UUID('b8a5e2c4-3f1d-4e7a-9c62-5d0f8e1a7b39'), 'alice/OpenFrame_x_20260103_120855')
      uuid: '54d2f813-e199-5fbe-993a-007e2f38a72c',
      user: 'alice',
      folderName: SHARED_X,
      path: join(root, 'users/alice/sessions', SHARED_X),
      layout: 'per_user',
    });
    expect(shared).toEqual({
      identity: SHARED_X,
      uuid: 'eea6a9bd-67a2-5dc2-b184-3ecfd2f03495',
      folderName: SHARED_X,
      path: join(root, 'crawl_sessions', SHARED_X),
      layout: 'shared',
    });
    // A migrated copy is the crawl of its shared original: keyed by the folder name alone.
    expect(refs.every((r) => r.uuid === uuidV5(r.layout === 'migrated' ? r.folderName : r.identity))).toBe(true);
    expect(new Set(refs.map((r) => r.uuid)).size).toBe(refs.length);
  });

  it('works with only crawl_sessions/ or only users/', async () => {
    const onlyShared = temp.make();
    writeTree(onlyShared, { [`crawl_sessions/${SHARED_X}/`]: '' });
    expect((await discoverSessions(onlyShared)).map((r) => r.identity)).toEqual([SHARED_X]);
    const onlyUsers = temp.make();
    writeTree(onlyUsers, { [`users/bob/sessions/${SHARED_X}/`]: '' });
    expect((await discoverSessions(onlyUsers)).map((r) => r.identity)).toEqual([`bob/${SHARED_X}`]);
  });

  it('returns no sessions for a data directory whose users have none', async () => {
    const root = temp.make();
    writeTree(root, { 'users/carol/': '', 'crawl_sessions/': '' });
    expect(await discoverSessions(root)).toEqual([]);
  });

  it('accepts a relative root and a trailing slash', async () => {
    const root = dataDir();
    const rel = relative(process.cwd(), root) + '/';
    const refs = await discoverSessions(rel);
    expect(refs).toHaveLength(6);
    expect(refs[0].path).toBe(join(root, 'users/jdoe/sessions/OpenFrame_TPETIME_error_에러_오류_20251201_120855'));
  });
});

describe('discoverSessions on a narrower root', () => {
  it("reads users/<u>/sessions as that user's sessions", async () => {
    const root = dataDir();
    const refs = await discoverSessions(join(root, 'users/jdoe/sessions'));
    expect(refs.map((r) => [r.identity, r.user, r.layout])).toEqual([
      ['jdoe/OpenFrame_TPETIME_error_에러_오류_20251201_120855', 'jdoe', 'migrated'],
      ['jdoe/Tibero_백업_복구_20251215_110000', 'jdoe', 'migrated'],
    ]);
  });

  it('reads crawl_sessions/ as shared sessions', async () => {
    const root = dataDir();
    const refs = await discoverSessions(join(root, 'crawl_sessions'));
    expect(refs.map((r) => [r.identity, r.layout])).toEqual([
      ['ProSort_sort_memory_부족_20251220_080000', 'shared'],
      [SHARED_X, 'shared'],
    ]);
  });

  it('reads a single per-user, migrated or shared session folder as that one session', async () => {
    const root = dataDir();
    const perUser = join(root, 'users/alice/sessions', SHARED_X);
    expect(await discoverSessions(perUser)).toEqual([
      {
        identity: `alice/${SHARED_X}`,
        uuid: uuidV5(`alice/${SHARED_X}`),
        user: 'alice',
        folderName: SHARED_X,
        path: perUser,
        layout: 'per_user',
      },
    ]);
    const migrated = await discoverSessions(join(root, 'users/jdoe/sessions/Tibero_백업_복구_20251215_110000'));
    expect(migrated.map((r) => [r.identity, r.layout])).toEqual([
      ['jdoe/Tibero_백업_복구_20251215_110000', 'migrated'],
    ]);
    const shared = await discoverSessions(join(root, 'crawl_sessions', SHARED_X));
    expect(shared.map((r) => [r.identity, r.layout, r.user])).toEqual([[SHARED_X, 'shared', undefined]]);
  });
});

describe('discoverSessions: layout detection', () => {
  it.each([
    ['metadata.json', { 'metadata.json': '{}' }, 'migrated'],
    ['issues/', { 'issues/': '' }, 'migrated'],
    ['both', { 'metadata.json': '{}', 'issues/1.json': '{}' }, 'migrated'],
    ['neither', { '1_20260103_120902.json': '{}' }, 'per_user'],
  ] as const)('a users/ session with %s is %s', async (_label, files, layout) => {
    const root = temp.make();
    writeTree(
      root,
      Object.fromEntries(Object.entries(files).map(([k, v]) => [`users/u/sessions/${SHARED_X}/${k}`, v])),
    );
    const refs = await discoverSessions(root);
    expect(refs.map((r) => r.layout)).toEqual([layout]);
  });

  it('a crawl_sessions/ folder is shared even with metadata.json', async () => {
    const root = temp.make();
    writeTree(root, { [`crawl_sessions/${SHARED_X}/metadata.json`]: '{}' });
    expect((await discoverSessions(root)).map((r) => r.layout)).toEqual(['shared']);
  });
});

describe('discoverSessions: errors', () => {
  it('refuses a directory that is neither a data directory nor a session folder', async () => {
    const root = temp.make();
    writeTree(root, { 'random.txt': 'x', 'sub/': '' });
    const err = await discoverError(root);
    expect(err.code).toBe('LAYOUT_UNKNOWN');
    expect(err.file).toBe(root);
    expect(err.message).toBe(
      `${root}: not a crawler data directory (no users/ or crawl_sessions/ inside) and not a session folder ` +
        '(users/<name>/sessions/<folder> or crawl_sessions/<folder>); see docs/input-format.md',
    );
  });

  it('refuses a session-looking folder that lies in no known place', async () => {
    const root = temp.make();
    writeTree(root, { [`${SHARED_X}/1_20260103_120902.json`]: '{}' });
    const err = await discoverError(join(root, SHARED_X));
    expect(err.code).toBe('LAYOUT_UNKNOWN');
    expect(err.message.startsWith(`${join(root, SHARED_X)}: not a crawler data directory`)).toBe(true);
  });

  it('refuses a missing path, naming it as given', async () => {
    const missing = join(temp.make(), 'no', 'such', 'data');
    const err = await discoverError(missing);
    expect(err.code).toBe('LAYOUT_UNKNOWN');
    expect(err.file).toBe(missing);
    expect(err.message).toBe(`${missing}: no such directory`);
  });

  it('refuses a file', async () => {
    const root = temp.make();
    writeTree(root, { 'data.json': '{}' });
    const err = await discoverError(join(root, 'data.json'));
    expect(err.code).toBe('LAYOUT_UNKNOWN');
    expect(err.message).toBe(`${join(root, 'data.json')}: not a directory`);
  });
});

describe('sessionRefForFolder', () => {
  it('judges a folder by where it lies, without touching the disk for the path', () => {
    expect(sessionRefForFolder('/data/users/alice/sessions/X_20260103_120855')).toEqual({
      identity: 'alice/X_20260103_120855',
      uuid: uuidV5('alice/X_20260103_120855'),
      user: 'alice',
      folderName: 'X_20260103_120855',
      path: '/data/users/alice/sessions/X_20260103_120855',
      layout: 'per_user',
    });
    expect(sessionRefForFolder('/data/crawl_sessions/X_20260103_120855/')).toEqual({
      identity: 'X_20260103_120855',
      uuid: uuidV5('X_20260103_120855'),
      folderName: 'X_20260103_120855',
      path: '/data/crawl_sessions/X_20260103_120855',
      layout: 'shared',
    });
  });

  it('returns undefined for a folder in no known place', () => {
    expect(sessionRefForFolder('/data/X_20260103_120855')).toBeUndefined();
    expect(sessionRefForFolder('/data/users/alice/X_20260103_120855')).toBeUndefined();
    expect(sessionRefForFolder('/data/sessions/X_20260103_120855')).toBeUndefined();
    expect(sessionRefForFolder('/')).toBeUndefined();
  });

  it('sees the migrated layout on disk', () => {
    const root = temp.make();
    writeTree(root, { 'users/jdoe/sessions/M_20251201_120855/metadata.json': '{}' });
    expect(sessionRefForFolder(join(root, 'users/jdoe/sessions/M_20251201_120855'))?.layout).toBe('migrated');
  });
});

describe('discoverSessions on fixtures/', () => {
  it('finds the 9 session folders (8 crawls) of fixtures/README.md with their identities, users and layouts', async () => {
    const refs = await discoverSessions(FIXTURES);
    expect(refs.map((r) => [r.identity, r.user, r.layout])).toEqual([
      ['jdoe/OpenFrame_TPETIME_error_에러_오류_20251201_120855', 'jdoe', 'migrated'], // S7
      ['jdoe/Tibero_백업_복구_20251215_110000', 'jdoe', 'migrated'], // S8
      ['ProSort_sort_memory_부족_20251220_080000', undefined, 'shared'], // S5
      ['jdoe/ProSort_sort_memory_부족_20251220_080000', 'jdoe', 'migrated'], // S5's migrated copy
      ['OpenFrame_Batch_JCL_오류_20251222_153000', undefined, 'shared'], // S6
      ['alice/OpenFrame_TPETIME_error_에러_오류_20260103_120855', 'alice', 'per_user'], // S1
      ['bob/Tibero_ORA-600_internal_error_20260105_091500', 'bob', 'per_user'], // S3
      ['bob/JEUS_deploy_fail_20260106_100000', 'bob', 'per_user'], // S4
      ['alice/OpenFrame_OpenFrame_TPETIME_에러_발생_20260110_143921', 'alice', 'per_user'], // S2
    ]);
    expect(refs[0].path).toBe(join(FIXTURES, 'users/jdoe/sessions/OpenFrame_TPETIME_error_에러_오류_20251201_120855'));
    expect(refs[2].path).toBe(join(FIXTURES, 'crawl_sessions/ProSort_sort_memory_부족_20251220_080000'));
    // One crawl per uuid: S5 and its migrated copy are one crawl, keyed by the folder name.
    expect(new Set(refs.map((r) => r.uuid)).size).toBe(8);
    expect(refs[3].uuid).toBe(refs[2].uuid);
    expect(refs[3].uuid).toBe(uuidV5('ProSort_sort_memory_부족_20251220_080000'));
    expect(refs[0].uuid).toBe(uuidV5('OpenFrame_TPETIME_error_에러_오류_20251201_120855'));
  });
});

describe('discoverSessions: folders that are not sessions', () => {
  it('ignores, and reports, folders without the _YYYYMMDD_HHMMSS ending inside sessions directories', async () => {
    const root = temp.make();
    writeTree(root, {
      'users/alice/sessions/backup/347863_20260103_120902.json': '{}',
      [`users/alice/sessions/${SHARED_X}/`]: '',
      'crawl_sessions/old copy/': '',
    });
    const ignored: string[] = [];
    const refs = await discoverSessions(root, { onIgnored: (path) => ignored.push(relative(root, path)) });
    expect(refs.map((r) => r.identity)).toEqual([`alice/${SHARED_X}`]);
    expect(ignored.sort()).toEqual(['crawl_sessions/old copy', 'users/alice/sessions/backup']);
  });

  it('still takes a folder given as the root, whatever its name', async () => {
    const root = temp.make();
    writeTree(root, { 'users/bob/sessions/manual-run/351300_20260105_091509.json': '{}' });
    const refs = await discoverSessions(join(root, 'users/bob/sessions/manual-run'));
    expect(refs.map((r) => [r.identity, r.layout])).toEqual([['bob/manual-run', 'per_user']]);
  });
});

describe('discoverSessions: symbolic links', () => {
  it('follows a linked sessions folder and a linked session, and skips a dangling link', async () => {
    const root = temp.make();
    const elsewhere = temp.make();
    writeTree(elsewhere, { [`${SHARED_X}/347863_20260103_120902.json`]: '{}' });
    writeTree(root, { 'users/alice/sessions/': '', 'crawl_sessions/': '' });
    symlinkSync(join(elsewhere, SHARED_X), join(root, 'users/alice/sessions', SHARED_X));
    symlinkSync(join(elsewhere, 'gone_20260101_000000'), join(root, 'crawl_sessions', 'gone_20260101_000000'));
    const refs = await discoverSessions(root);
    expect(refs.map((r) => r.identity)).toEqual([`alice/${SHARED_X}`]);
  });
});
