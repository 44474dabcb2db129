import { appendFileSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scanSession } from '../../src/files/session-folder';
import { FIXED_MTIME, tempDirs, writeTree } from './temp-tree';

const FIXTURES = join(__dirname, '..', '..', 'fixtures');

const temp = tempDirs('scan');
afterAll(() => temp.cleanup());

const ISSUE_347863 = '{\n  "issue_id": "347863",\n  "title": "TPETIME 에러"\n}';
const ISSUE_340100 = '{\n  "issue_id": "340100"\n}';
const ISSUE_UNKNOWN = '{\n  "issue_id": "unknown"\n}';
const LOG = 'tjesmgr: TPETIME 에러\n'.repeat(3);

function bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** A per-user session folder with everything §4 of docs/input-format.md lists. */
function perUserSession(): string {
  const dir = join(temp.make(), 'users/alice/sessions/OpenFrame_TPETIME_error_에러_오류_20260103_120855');
  writeTree(dir, {
    '347863_20260103_120902.json': ISSUE_347863,
    '340100_20260103_120904.json': ISSUE_340100,
    'unknown_20260103_120901.json': ISSUE_UNKNOWN,
    'search_result.json': '[{"issue_id": "347863", "title": "x"}]',
    'notes.json': '{}',
    '347863.json': '{"issue_id": "347863"}',
    'debug_screenshot_20260103_120900.png': Buffer.from([0x89, 0x50, 0x4e, 0x47]),
    'no_results_20260103_120859.html': '<html></html>',
    'no_results_20260103_120859.png': Buffer.from([0x89, 0x50, 0x4e, 0x47]),
    'no_results_retry.png': Buffer.from([0x89]),
    'page.html': '<html></html>',
    'readme.txt': 'not an issue',
    'attachments/347863/tpetime_log.txt': LOG,
    'attachments/347863/tpetime_log.txt.txt': LOG,
    'attachments/340100/': '',
    'attachments/351234/core.dmp': 'CORE',
    'attachments/351234/core.dmp.txt': 'preview of core',
    'attachments/351234/report.txt': 'a download whose own name ends in .txt',
    'attachments/351234/장애 보고서 (최종) v2.docx': 'DOCX',
    'attachments/stray.txt': 'a file directly under attachments/',
  });
  return dir;
}

function migratedSession(): string {
  const dir = join(temp.make(), 'users/jdoe/sessions/OpenFrame_TPETIME_error_에러_오류_20251201_120855');
  writeTree(dir, {
    'metadata.json': '{"session_id": "OpenFrame_TPETIME_error_에러_오류_20251201_120855", "user_id": "jdoe"}',
    'issues/360001.json': '{"issue_id": "360001"}',
    'issues/344218.json': '{"issue_id": "344218", "title": "dataset lock 미해제"}',
    'issues/notes.txt': 'not json',
    'issues/sub/999.json': '{"issue_id": "999"}',
    'attachments/344218/': '',
    'attachments/360001/': '',
  });
  return dir;
}

describe('scanSession: per-user / shared layout', () => {
  it('lists issue files in code-unit order with id, timestamp and size', async () => {
    const dir = perUserSession();
    const c = await scanSession(dir);
    expect(c.issueFiles).toEqual([
      {
        relPath: '340100_20260103_120904.json',
        absPath: join(dir, '340100_20260103_120904.json'),
        nameIssueId: '340100',
        timestamp: '20260103_120904',
        size: bytes(ISSUE_340100),
      },
      {
        relPath: '347863_20260103_120902.json',
        absPath: join(dir, '347863_20260103_120902.json'),
        nameIssueId: '347863',
        timestamp: '20260103_120902',
        size: bytes(ISSUE_347863),
      },
      {
        relPath: 'unknown_20260103_120901.json',
        absPath: join(dir, 'unknown_20260103_120901.json'),
        nameIssueId: 'unknown',
        timestamp: '20260103_120901',
        size: bytes(ISSUE_UNKNOWN),
      },
    ]);
    expect(c.metadataPath).toBeUndefined();
  });

  it('never lists search_result.json, png, html or txt as issues; flags unrecognized .json', async () => {
    const c = await scanSession(perUserSession());
    const rel = c.issueFiles.map((f) => f.relPath);
    expect(rel).not.toContain('search_result.json');
    expect(rel.some((r) => !r.endsWith('.json'))).toBe(false);
    expect(c.unrecognized).toEqual(['347863.json', 'notes.json']);
  });

  it('lists failure markers with their timestamps', async () => {
    const c = await scanSession(perUserSession());
    expect(c.failureMarkers).toEqual([
      { relPath: 'debug_screenshot_20260103_120900.png', timestamp: '20260103_120900' },
      { relPath: 'no_results_20260103_120859.html', timestamp: '20260103_120859' },
      { relPath: 'no_results_20260103_120859.png', timestamp: '20260103_120859' },
      { relPath: 'no_results_retry.png', timestamp: undefined },
    ]);
  });

  it('lists downloads with their previews; a preview is not a download; empty folders give nothing', async () => {
    const dir = perUserSession();
    const c = await scanSession(dir);
    const a = (rel: string): string => join(dir, 'attachments', rel);
    expect(c.downloads).toEqual([
      {
        issueId: '347863',
        fileName: 'tpetime_log.txt',
        relPath: 'attachments/347863/tpetime_log.txt',
        absPath: a('347863/tpetime_log.txt'),
        size: bytes(LOG),
        previewPath: a('347863/tpetime_log.txt.txt'),
      },
      {
        issueId: '351234',
        fileName: 'core.dmp',
        relPath: 'attachments/351234/core.dmp',
        absPath: a('351234/core.dmp'),
        size: 4,
        previewPath: a('351234/core.dmp.txt'),
      },
      {
        issueId: '351234',
        fileName: 'report.txt',
        relPath: 'attachments/351234/report.txt',
        absPath: a('351234/report.txt'),
        size: bytes('a download whose own name ends in .txt'),
        previewPath: undefined,
      },
      {
        issueId: '351234',
        fileName: '장애 보고서 (최종) v2.docx',
        relPath: 'attachments/351234/장애 보고서 (최종) v2.docx',
        absPath: a('351234/장애 보고서 (최종) v2.docx'),
        size: 4,
        previewPath: undefined,
      },
    ]);
  });

  it('reads a folder of failure markers only as no issues and three markers (fixture S4)', async () => {
    const c = await scanSession(join(FIXTURES, 'users/bob/sessions/JEUS_deploy_fail_20260106_100000'));
    expect(c.issueFiles).toEqual([]);
    expect(c.downloads).toEqual([]);
    expect(c.unrecognized).toEqual([]);
    expect(c.failureMarkers).toEqual([
      { relPath: 'debug_screenshot_20260106_100011.png', timestamp: '20260106_100011' },
      { relPath: 'no_results_20260106_100012.html', timestamp: '20260106_100012' },
      { relPath: 'no_results_20260106_100012.png', timestamp: '20260106_100012' },
    ]);
  });

  it('reads fixture S1: 4 issue files, search_result.json skipped, 1 download with preview', async () => {
    const dir = join(FIXTURES, 'users/alice/sessions/OpenFrame_TPETIME_error_에러_오류_20260103_120855');
    const c = await scanSession(dir);
    expect(c.issueFiles.map((f) => [f.relPath, f.nameIssueId, f.timestamp])).toEqual([
      ['340100_20260103_120904.json', '340100', '20260103_120904'],
      ['344218_20260103_120907.json', '344218', '20260103_120907'],
      ['345001_20260103_120911.json', '345001', '20260103_120911'],
      ['347863_20260103_120902.json', '347863', '20260103_120902'],
    ]);
    expect(c.issueFiles[3].size).toBe(readFileSync(join(dir, '347863_20260103_120902.json')).length);
    expect(c.unrecognized).toEqual([]);
    expect(c.failureMarkers).toEqual([]);
    expect(c.downloads.map((d) => [d.relPath, d.size, d.previewPath])).toEqual([
      ['attachments/347863/tpetime_log.txt', 316, join(dir, 'attachments/347863/tpetime_log.txt.txt')],
    ]);
  });

  it('reads an empty folder as empty', async () => {
    const c = await scanSession(temp.make());
    expect(c).toMatchObject({ issueFiles: [], downloads: [], failureMarkers: [], unrecognized: [] });
    expect(c.metadataPath).toBeUndefined();
    expect(c.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('scanSession: migrated layout', () => {
  it('lists issues/<id>.json without timestamps and finds metadata.json', async () => {
    const dir = migratedSession();
    const c = await scanSession(dir);
    expect(c.metadataPath).toBe(join(dir, 'metadata.json'));
    expect(c.issueFiles).toEqual([
      {
        relPath: 'issues/344218.json',
        absPath: join(dir, 'issues/344218.json'),
        nameIssueId: '344218',
        timestamp: undefined,
        size: bytes('{"issue_id": "344218", "title": "dataset lock 미해제"}'),
      },
      {
        relPath: 'issues/360001.json',
        absPath: join(dir, 'issues/360001.json'),
        nameIssueId: '360001',
        timestamp: undefined,
        size: bytes('{"issue_id": "360001"}'),
      },
    ]);
    expect(c.unrecognized).toEqual([]);
    expect(c.downloads).toEqual([]);
    expect(c.failureMarkers).toEqual([]);
  });

  it('reads a timestamped name inside issues/ too', async () => {
    const dir = temp.make();
    writeTree(dir, { 'metadata.json': '{}', 'issues/347863_20260103_120902.json': '{}' });
    const c = await scanSession(dir);
    expect(c.issueFiles.map((f) => [f.relPath, f.nameIssueId, f.timestamp])).toEqual([
      ['issues/347863_20260103_120902.json', '347863', '20260103_120902'],
    ]);
  });

  it('reads fixture S7 and S8', async () => {
    const s7 = join(FIXTURES, 'users/jdoe/sessions/OpenFrame_TPETIME_error_에러_오류_20251201_120855');
    const s8 = join(FIXTURES, 'users/jdoe/sessions/Tibero_백업_복구_20251215_110000');
    const c7 = await scanSession(s7);
    const c8 = await scanSession(s8);
    expect(c7.issueFiles.map((f) => f.relPath)).toEqual(['issues/344218.json', 'issues/360001.json']);
    expect(c7.metadataPath).toBe(join(s7, 'metadata.json'));
    expect(c8.issueFiles.map((f) => [f.relPath, f.nameIssueId])).toEqual([['issues/355002.json', '355002']]);
    expect(c8.metadataPath).toBe(join(s8, 'metadata.json'));
  });
});

describe('scanSession: fingerprint', () => {
  const LATER = new Date(FIXED_MTIME.getTime() + 5000);

  it('is the same on a rescan of an unchanged folder, even after reading every file', async () => {
    const dir = perUserSession();
    const first = await scanSession(dir);
    for (const f of first.issueFiles) readFileSync(f.absPath);
    for (const d of first.downloads) readFileSync(d.absPath);
    expect((await scanSession(dir)).fingerprint).toBe(first.fingerprint);
  });

  it('does not change when an empty attachment folder appears', async () => {
    const dir = perUserSession();
    const before = (await scanSession(dir)).fingerprint;
    mkdirSync(join(dir, 'attachments', '999999'));
    expect((await scanSession(dir)).fingerprint).toBe(before);
  });

  it('differs between folders with different content', async () => {
    expect((await scanSession(perUserSession())).fingerprint).not.toBe(
      (await scanSession(migratedSession())).fingerprint,
    );
  });

  it.each([
    ['an issue file', '347863_20260103_120902.json'],
    ['a migrated issue file', 'issues/344218.json'],
    ['metadata.json', 'metadata.json'],
    ['a failure marker', 'debug_screenshot_20260103_120900.png'],
    ['a download', 'attachments/347863/tpetime_log.txt'],
    ['a preview', 'attachments/347863/tpetime_log.txt.txt'],
    ['search_result.json', 'search_result.json'],
  ])('changes when %s is touched, and back when its mtime is restored', async (_label, rel) => {
    const dir = perUserSession();
    writeTree(dir, { 'issues/344218.json': '{"issue_id": "344218"}', 'metadata.json': '{}' });
    const before = (await scanSession(dir)).fingerprint;
    utimesSync(join(dir, rel), LATER, LATER);
    const touched = (await scanSession(dir)).fingerprint;
    expect(touched).not.toBe(before);
    utimesSync(join(dir, rel), FIXED_MTIME, FIXED_MTIME);
    expect((await scanSession(dir)).fingerprint).toBe(before);
  });

  it('changes when a file grows even with its mtime kept', async () => {
    const dir = perUserSession();
    const before = (await scanSession(dir)).fingerprint;
    const file = join(dir, '340100_20260103_120904.json');
    appendFileSync(file, ' ');
    utimesSync(file, FIXED_MTIME, FIXED_MTIME);
    const after = await scanSession(dir);
    expect(after.issueFiles[0].size).toBe(bytes(ISSUE_340100) + 1);
    expect(after.fingerprint).not.toBe(before);
  });

  it('changes when an issue file is added or removed', async () => {
    const dir = perUserSession();
    const before = (await scanSession(dir)).fingerprint;
    writeTree(dir, { '351300_20260103_120915.json': '{"issue_id": "351300"}' });
    const added = await scanSession(dir);
    expect(added.issueFiles).toHaveLength(4);
    expect(added.fingerprint).not.toBe(before);
    rmSync(join(dir, '351300_20260103_120915.json'));
    expect((await scanSession(dir)).fingerprint).toBe(before);
  });

  it('changes when a half-written file is completed (same mtime second, new size)', async () => {
    const dir = temp.make();
    const file = join(dir, '347863_20260103_120902.json');
    writeFileSync(file, '{"issue_id": "34');
    utimesSync(file, FIXED_MTIME, FIXED_MTIME);
    const half = await scanSession(dir);
    writeFileSync(file, ISSUE_347863);
    utimesSync(file, FIXED_MTIME, FIXED_MTIME);
    const full = await scanSession(dir);
    expect(half.issueFiles[0].size).toBe(16);
    expect(full.issueFiles[0].size).toBe(bytes(ISSUE_347863));
    expect(full.fingerprint).not.toBe(half.fingerprint);
  });
});
