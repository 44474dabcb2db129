/**
 * The public API of ims-ingest: what a program embedding the loader needs (README §API).
 * Named exports only: the COPY encoders, staging and merge steps stay internal.
 */
export { openDatabase, watch } from './api';
export type { Database, OpenDatabaseOptions, WatchOptions } from './api';
export { applyMigrations } from './db/migrate';
export type { MigrateResult } from './db/migrate';
export { discoverSessions, sessionRefForFolder } from './files/discover';
export type { DiscoverOptions, Layout, SessionRef } from './files/discover';
export { ingestSession } from './ingest/session';
export type { IngestOptions, SessionOutcome } from './ingest/session';
export { backfill, refreshAnalytics } from './ingest/backfill';
export type { BackfillOptions, BackfillSummary } from './ingest/backfill';
export { loadConfig } from './config';
export type { Config, ConfigFlags } from './config';
export { IngestError } from './errors';
export type { IngestErrorCode } from './errors';
export type { ImsRow, ImsTables, ImsViews } from './db/row-types';
