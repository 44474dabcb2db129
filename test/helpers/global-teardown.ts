/** Nothing to stop for an external server; the embedded one (if started) is stopped by its owner. */
export default async function globalTeardown(): Promise<void> {}
