/**
 * Every size that decides how a crawler file is read or written, in one place: together they
 * bound the reader's memory whatever the session's size (docs/performance.md explains each).
 */

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * Files up to this size are read whole and parsed by JSON.parse, about 20 times faster than
 * stream-json's token stream; such a file then costs about three times its size in memory for
 * a moment (bytes, text, value), which this bound keeps small. Larger files, and any file
 * JSON.parse rejects, go through the streaming reader (read-json.ts). It is also the size above
 * which an issue file is first checked on its token stream and then sent as its own text when it
 * needs no repair (passthrough.ts), or repaired on that stream when it does (repair-stream.ts).
 */
export const WHOLE_READ_MAX_BYTES = 4 * MiB;

/**
 * Issue files are read a few ahead of the one being encoded (file-rows.ts), at most this many
 * bytes of them, so a large file is read alone.
 */
export const READ_AHEAD_BYTES = 4 * MiB;

/**
 * A repaired document above this size is written out piece by piece: JSON.stringify of a 50 MB
 * document needs about twice its text in memory at once.
 */
export const PIECEWISE_JSON_ABOVE_BYTES = 1 * MiB;

/**
 * An extracted-text preview larger than this is cut (and the cut recorded): the text is for
 * search, and a runaway preview must not hold a whole file in memory.
 */
export const MAX_PREVIEW_BYTES = 16 * MiB;

/** COPY text is handed to the database in chunks of about this many characters. */
export const COPY_CHUNK_CHARS = 64 * KiB;

/** Read-stream buffer of the streaming JSON parser (read-json.ts). */
export const PARSE_READ_BYTES = 256 * KiB;

/** Read-stream buffer of a file sent as its own text (passthrough.ts). */
export const PASSTHROUGH_READ_BYTES = 64 * KiB;
