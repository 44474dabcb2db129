import { stopTestServer } from './embedded-server';

/** Stops the embedded PostgreSQL if global-setup started one; an external server is left alone. */
export default async function globalTeardown(): Promise<void> {
  await stopTestServer();
}
