import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { IngestError } from './errors';

/**
 * The config file: JSON or YAML (by extension; YAML is a superset of JSON, so a file named
 * otherwise is read as YAML), holding one object whose keys are the option names in camelCase.
 * Without --config or IMS_INGEST_CONFIG the first file found in the default locations is used.
 */

export type FileValue = string | number | boolean;

const NAMES = ['json', 'yaml', 'yml'];

/** Where a config file is looked for when none is named: the working directory, then XDG. */
export function defaultConfigPaths(cwd: string, xdgConfigHome: string): string[] {
  return [
    ...NAMES.map((ext) => join(cwd, `ims-ingest.config.${ext}`)),
    ...NAMES.map((ext) => join(xdgConfigHome, 'ims-ingest', `config.${ext}`)),
  ];
}

/** The first of `paths` that exists, else undefined. */
export function firstExisting(paths: string[]): string | undefined {
  return paths.find((p) => existsSync(p));
}

/** Reads and checks the file: every key known, every value of the key's type. */
export function readConfigFile(
  path: string,
  types: Readonly<Record<string, 'string' | 'number' | 'boolean'>>,
): Record<string, FileValue> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new IngestError('CONFIG_INVALID', `cannot read config file ${path}: ${(err as Error).message}`, {
      file: path,
      cause: err,
    });
  }
  const json = path.endsWith('.json');
  let value: unknown;
  try {
    value = json ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    const what = json ? 'JSON' : 'YAML';
    // Both parsers quote the text around the error (V8: `..."text"`, yaml: the lines below its
    // first), which may be part of a password in databaseUrl: the reason alone is said.
    const message = (err as Error).message.split('\n')[0];
    const reason = json ? message.replace(/,?\s*(\.\.\.)?"[\s\S]*$/, '') : message.replace(/:$/, '');
    throw new IngestError('CONFIG_INVALID', `config file ${path} is not valid ${what}: ${reason}`, {
      file: path,
      cause: err,
    });
  }
  // An empty YAML file is null: no settings.
  if (value === null && !json) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new IngestError('CONFIG_INVALID', `config file ${path} must hold a ${json ? 'JSON' : 'YAML'} object`, {
      file: path,
    });
  }
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(types, key)) {
      throw new IngestError(
        'CONFIG_INVALID',
        `config file ${path}: unknown key "${key}" (known: ${Object.keys(types).join(', ')})`,
        { file: path },
      );
    }
  }
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== types[key]) {
      throw new IngestError(
        'CONFIG_INVALID',
        `config file ${path}: "${key}" must be a ${types[key]}, got ${JSON.stringify(v)}`,
        { file: path },
      );
    }
  }
  return value as Record<string, FileValue>;
}
