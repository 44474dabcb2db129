/** The public API of ims-ingest: what a program embedding the loader needs. */
export { loadConfig } from './config';
export type { Config, ConfigFlags } from './config';
export { IngestError } from './errors';
export type { IngestErrorCode } from './errors';
export { applyMigrations } from './db/migrate';
export { discoverSessions } from './files/discover';
export type { SessionRef, Layout } from './files/discover';
export { ingestSession, readSession, writeSession } from './ingest/session';
export type { SessionOutcome, SessionError, IngestOptions, SessionRead, ReadOptions, SessionRows, WriteOptions, WriteResult } from './ingest/session';
export { backfill, refreshAnalytics } from './ingest/backfill';
export type { BackfillSummary, BackfillOptions } from './ingest/backfill';
export { encodeCopyRow, encodeCopyValue } from './files/copy-text';
