import { ConfigEntry, ConfigFlags, kebab, OPTIONS, resolveConfig } from '../config';

/**
 * `ims-ingest config`: the effective configuration, each value with where it came from (flag,
 * environment variable, config file, default), connection strings with their password masked.
 */

export interface ConfigReport {
  file: string | null;
  settings: (ConfigEntry & { flag: string; env: string })[];
  pgHostSet: boolean;
}

export function configReport(flags: ConfigFlags, env: NodeJS.ProcessEnv = process.env): ConfigReport {
  const { config, entries, file } = resolveConfig(flags, env);
  // resolveConfig has masked the secrets already.
  const settings = entries.map((e) => {
    const spec = OPTIONS.find((o) => o.key === e.key)!;
    return { ...e, flag: `--${kebab(e.key)}`, env: spec.env };
  });
  return { file: file ?? null, settings, pgHostSet: config.pgHostSet };
}

export function formatConfigReport(r: ConfigReport): string {
  const shown = (v: unknown) => (v === undefined ? '(not set)' : typeof v === 'string' ? v : JSON.stringify(v));
  const width = Math.max(...r.settings.map((s) => s.key.length));
  const lines = [
    `config file: ${r.file ?? 'none (looked for ./ims-ingest.config.{json,yaml,yml}, then $XDG_CONFIG_HOME/ims-ingest/config.*)'}`,
    ...r.settings.map((s) => `  ${s.key.padEnd(width)}  ${shown(s.value).padEnd(28)}  ${s.source}`),
  ];
  const db = r.settings.find((s) => s.key === 'databaseUrl');
  if (db?.value === undefined) {
    lines.push(
      r.pgHostSet
        ? 'database: the libpq PG* variables (PGHOST is set)'
        : 'database: the embedded PostgreSQL in embeddedDir (no server configured)',
    );
  }
  lines.push('Precedence: flag > environment variable > config file > default. The file uses the keys above.');
  return lines.join('\n');
}
