import { encodeCopyRow, encodeCopyValue } from '../../src/files/copy-text';

describe('COPY text encoding', () => {
  it('escapes backslash, tab, newline, carriage return; NULL is \\N', () => {
    expect(encodeCopyValue('C:\\tmax\\bin')).toBe('C:\\\\tmax\\\\bin');
    expect(encodeCopyValue('a\tb\nc\rd')).toBe('a\\tb\\nc\\rd');
    expect(encodeCopyValue('\\N')).toBe('\\\\N');
    expect(encodeCopyValue('\\.')).toBe('\\\\.');
    expect(encodeCopyValue(null)).toBe('\\N');
    expect(encodeCopyValue(undefined)).toBe('\\N');
    expect(encodeCopyValue('')).toBe('');
    expect(encodeCopyValue(true)).toBe('t');
    expect(encodeCopyValue(42)).toBe('42');
    expect(encodeCopyValue('에러 🚀 "quoted"')).toBe('에러 🚀 "quoted"');
  });
  it('refuses NUL, which COPY cannot carry', () => {
    expect(() => encodeCopyValue('a\0b')).toThrow(RangeError);
  });
  it('joins a row with tabs and ends it with a newline', () => {
    expect(encodeCopyRow([1, 'x\ty', null])).toBe('1\tx\\ty\t\\N\n');
  });
});
