import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, resolveConfig } from '../../src/config';
import { tempDirs } from './temp-tree';

/** Config files: YAML or JSON, the default locations in order, every setting a key. */

const temp = tempDirs('config-file');
afterAll(() => temp.cleanup());

it('reads YAML with every setting, the same keys as JSON', () => {
  const dir = temp.make();
  const path = join(dir, 'ims.yaml');
  writeFileSync(
    path,
    'timezone: UTC\nconcurrency: 4\npoll: true\nmetricsPort: 9464\nmetricsFile: /tmp/x.prom\nlogLevel: debug\nlogFormat: json\nquiet: true\nacceptErrors: true\n',
  );
  expect(loadConfig({ config: path }, {}, dir)).toMatchObject({
    timezone: 'UTC',
    concurrency: 4,
    poll: true,
    metricsPort: 9464,
    metricsFile: '/tmp/x.prom',
    logLevel: 'debug',
    logFormat: 'json',
    quiet: true,
    acceptErrors: true,
  });
});

it('takes ./ims-ingest.config.* before $XDG_CONFIG_HOME/ims-ingest/config.*, json before yaml before yml', () => {
  const cwd = temp.make();
  const xdg = temp.make();
  mkdirSync(join(xdg, 'ims-ingest'));
  writeFileSync(join(xdg, 'ims-ingest', 'config.yml'), 'user: from-xdg\n');
  expect(resolveConfig({}, { XDG_CONFIG_HOME: xdg }, cwd)).toMatchObject({
    file: join(xdg, 'ims-ingest', 'config.yml'),
    config: { defaultUser: 'from-xdg' },
  });
  writeFileSync(join(cwd, 'ims-ingest.config.yaml'), 'user: from-cwd-yaml\n');
  expect(loadConfig({}, { XDG_CONFIG_HOME: xdg }, cwd).defaultUser).toBe('from-cwd-yaml');
  writeFileSync(join(cwd, 'ims-ingest.config.json'), '{"user": "from-cwd-json"}');
  expect(loadConfig({}, { XDG_CONFIG_HOME: xdg }, cwd).defaultUser).toBe('from-cwd-json');
  // HOME/.config when XDG_CONFIG_HOME is unset.
  const home = temp.make();
  mkdirSync(join(home, '.config', 'ims-ingest'), { recursive: true });
  writeFileSync(join(home, '.config', 'ims-ingest', 'config.json'), '{"user": "from-home"}');
  expect(loadConfig({}, { HOME: home }, temp.make()).defaultUser).toBe('from-home');
});

it('refuses invalid YAML and a YAML list, naming the file', () => {
  const dir = temp.make();
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'timezone: [UTC\n');
  expect(() => loadConfig({ config: bad }, {}, dir)).toThrow(new RegExp(`^config file ${bad} is not valid YAML: `));
  const list = join(dir, 'list.yml');
  writeFileSync(list, '- a\n- b\n');
  expect(() => loadConfig({ config: list }, {}, dir)).toThrow(`config file ${list} must hold a YAML object`);
});

it('gives each value its source', () => {
  const dir = temp.make();
  const path = join(dir, 'c.json');
  writeFileSync(path, '{"concurrency": 3, "databaseUrl": "postgresql://u:pw@h/d"}');
  const { entries } = resolveConfig({ config: path, timezone: 'UTC' }, { IMS_SETTLE_SECONDS: '5' }, dir);
  const by = Object.fromEntries(entries.map((e) => [e.key, e]));
  expect(by.timezone).toEqual({ key: 'timezone', value: 'UTC', source: 'flag --timezone' });
  expect(by.settleSeconds).toEqual({ key: 'settleSeconds', value: 5, source: 'env IMS_SETTLE_SECONDS' });
  expect(by.concurrency).toEqual({ key: 'concurrency', value: 3, source: `file ${path}` });
  expect(by.databaseUrl).toEqual({ key: 'databaseUrl', value: 'postgresql://u:***@h/d', source: `file ${path}` });
  expect(by.logLevel).toEqual({ key: 'logLevel', value: 'info', source: 'default' });
});
