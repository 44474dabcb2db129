import {
  compactToKey,
  naiveTimeKey,
  parseFailureMarker,
  parseFolderName,
  parseIssueFileName,
  uuidV5,
} from '../../src/files/crawler-names';

describe('parseFolderName', () => {
  it('takes the timestamp from the last two _ parts, keeps Korean keywords', () => {
    expect(parseFolderName('OpenFrame_TPETIME_error_에러_오류_20260103_120855')).toEqual({
      product: 'OpenFrame',
      keywords: 'TPETIME error 에러 오류',
      timestamp: '20260103_120855',
    });
  });
  it('copes with a repeated product and a name without timestamp', () => {
    expect(parseFolderName('OpenFrame_OpenFrame_TPETIME_에러_발생_20260103_143921').keywords).toBe(
      'OpenFrame TPETIME 에러 발생',
    );
    expect(parseFolderName('adhoc')).toEqual({ product: 'adhoc', keywords: '', timestamp: undefined });
  });
});

describe('issue file names and times', () => {
  it('reads <issue_id>_<YYYYMMDD_HHMMSS>.json', () => {
    expect(parseIssueFileName('347863_20260103_120902.json')).toEqual({
      issueId: '347863',
      timestamp: '20260103_120902',
    });
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

describe('parseFailureMarker', () => {
  it.each([
    ['no_results_20260106_100012.png', '20260106_100012'],
    ['no_results_20260106_100012.html', '20260106_100012'],
    ['debug_screenshot_20260106_100011.png', '20260106_100011'],
  ])('reads %s with its timestamp', (name, timestamp) => {
    expect(parseFailureMarker(name)).toEqual({ timestamp });
  });

  it.each([
    'no_results_retry.png',
    'debug_screenshot_20260106_100011_2.png',
    'no_results_2026.html',
    'no_results_.png',
  ])('reads %s as a marker without a timestamp', (name) => {
    expect(parseFailureMarker(name)).toEqual({ timestamp: undefined });
  });

  it.each([
    'no_results.png',
    'no_results_20260106_100012',
    'screenshot_20260106_100011.png',
    'x_no_results_20260106_100012.png',
    '347863_20260103_120902.json',
    'search_result.json',
    'metadata.json',
    'debug_screenshot_20260106_100011.',
  ])('does not read %s as a marker', (name) => {
    expect(parseFailureMarker(name)).toBeUndefined();
  });
});
