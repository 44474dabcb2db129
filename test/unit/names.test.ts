import { compactToKey, naiveTimeKey, parseFolderName, parseIssueFileName, uuidV5 } from '../../src/ingest/names';

describe('parseFolderName', () => {
  it('takes the timestamp from the last two _ parts, keeps Korean keywords', () => {
    expect(parseFolderName('OpenFrame_TPETIME_error_에러_오류_20260103_120855')).toEqual({
      product: 'OpenFrame',
      keywords: 'TPETIME error 에러 오류',
      timestamp: '20260103_120855',
    });
  });
  it('copes with a repeated product and a name without timestamp', () => {
    expect(parseFolderName('OpenFrame_OpenFrame_TPETIME_에러_발생_20260103_143921').keywords).toBe('OpenFrame TPETIME 에러 발생');
    expect(parseFolderName('adhoc')).toEqual({ product: 'adhoc', keywords: '', timestamp: undefined });
  });
});

describe('issue file names and times', () => {
  it('reads <issue_id>_<YYYYMMDD_HHMMSS>.json', () => {
    expect(parseIssueFileName('347863_20260103_120902.json')).toEqual({ issueId: '347863', timestamp: '20260103_120902' });
    expect(parseIssueFileName('search_result.json')).toBeUndefined();
  });
  it('makes fixed-width sortable keys', () => {
    expect(compactToKey('20260103_120902')).toBe('2026-01-03 12:09:02.000000');
    expect(naiveTimeKey('2026-01-03T15:50:05.482913')).toBe('2026-01-03 15:50:05.482913');
    expect(naiveTimeKey('2026-01-03T15:50:05.5')).toBe('2026-01-03 15:50:05.500000');
    expect(naiveTimeKey('2026-13-03T15:50:05')).toBeUndefined();
    expect(naiveTimeKey('yesterday')).toBeUndefined();
  });
});

describe('uuidV5', () => {
  it('matches the RFC 4122 test vector and is deterministic', () => {
    // Python: uuid.uuid5(uuid.NAMESPACE_DNS, 'python.org') == 886313e1-3b8a-5372-9b90-0c9aee199e5d
    expect(uuidV5('python.org', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
    expect(uuidV5('alice/OpenFrame_x_20260103_120855')).toBe(uuidV5('alice/OpenFrame_x_20260103_120855'));
  });
});
