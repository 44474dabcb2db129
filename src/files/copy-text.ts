/**
 * PostgreSQL COPY text format (https://www.postgresql.org/docs/current/sql-copy.html,
 * "Text Format"): columns separated by tab, rows ended by newline, NULL written `\N`, and
 * backslash, newline, carriage return and tab escaped with a backslash. A literal `\.` line is
 * harmless once its backslash is doubled. NUL cannot be sent at all: the reader removes it
 * first (repair.ts), so meeting one here is a bug, not bad input.
 */

export type CopyValue = string | number | bigint | boolean | null | undefined;

const NEEDS_ESCAPE = /[\\\n\r\t\0]/;
const ESCAPES = /[\\\n\r\t\0]/g;

function escapeChar(ch: string): string {
  switch (ch) {
    case '\\':
      return '\\\\';
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    default:
      throw new RangeError('NUL character cannot be sent through COPY; remove it before encoding');
  }
}

/** One value in COPY text form. */
export function encodeCopyValue(value: CopyValue): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value !== 'string') return String(value);
  return NEEDS_ESCAPE.test(value) ? value.replace(ESCAPES, escapeChar) : value;
}

/** One row, newline included. */
export function encodeCopyRow(values: readonly CopyValue[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) line += '\t';
    line += encodeCopyValue(values[i]);
  }
  return line + '\n';
}
