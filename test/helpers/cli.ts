import { ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

/** bin/ims-ingest as a user runs it: a subprocess, real exit codes, real output. */
export const BIN = resolve(__dirname, '..', '..', 'bin', 'ims-ingest');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * This process's environment without any server or ims-ingest setting (DATABASE_URL, PG*,
 * IMS_*), plus `extra`: what the tests pass on is only what they mean to.
 */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env))
    if (k === 'DATABASE_URL' || k.startsWith('PG') || k.startsWith('IMS_')) delete env[k];
  return { ...env, ...extra };
}

/** Runs bin/ims-ingest to the end (in `cwd`, this process's by default). */
export function runCli(args: string[], env: NodeJS.ProcessEnv = cleanEnv(), cwd?: string): CliRun {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env, cwd, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts bin/ims-ingest and leaves it running; the caller reads its output. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv = cleanEnv()): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [BIN, ...args], { env });
}

/** A bin/ims-ingest left running: its output so far, and its end. */
export interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  done: Promise<CliRun>;
}

/** spawnCli, collecting the output: read it as it comes, or await `done` for the whole run. */
export function startCli(args: string[], env: NodeJS.ProcessEnv = cleanEnv()): RunningCli {
  const child = spawnCli(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<CliRun>((ok) => child.on('close', (code) => ok({ code, stdout, stderr })));
  return { child, stdout: () => stdout, stderr: () => stderr, done };
}

/** Polls `check` every 100 ms for up to 30 s; the error names `what`, and adds `said()` when given. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  said?: () => string,
): Promise<void> {
  for (const until = Date.now() + 30_000; !(await check()); await new Promise((r) => setTimeout(r, 100))) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${said ? `; ${said()}` : ''}`);
  }
}

/** The log records of a run's stderr (JSON lines, the format when stderr is not a terminal). */
export function logRecords(stderr: string): Record<string, unknown>[] {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The messages of a run's log, one per line. */
export function logText(stderr: string): string {
  return logRecords(stderr)
    .map((r) => String(r.msg))
    .join('\n');
}
