import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BigRun, PerRowRun, SizeRun } from './report';
import { barChart, lineChart, Series } from './svg';

/**
 * The charts of docs/performance.md, from one run's results.json: load time against corpus
 * size (ims-ingest, the two floors, the per-row way), where the time of the largest corpus
 * goes (stages and statements), and peak memory against input size. Written by bench/main.ts
 * after every run; `node bench/out/build/bench/charts.js <results.json> <dir>` redraws them.
 */

export interface Results {
  runs: SizeRun[];
  perRow?: PerRowRun;
  big?: BigRun;
}

const sec = (ms: number) => +(ms / 1000).toFixed(2);
const MB = 1024 * 1024;

export function writeCharts(results: Results, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const { runs, perRow, big } = results;
  const concurrencies = [...new Set(runs.map((r) => r.concurrency))];
  const sizes = [...new Set(runs.map((r) => r.files))];
  const bySize = (c: number, f: (r: SizeRun) => number): [number, number][] =>
    runs.filter((r) => r.concurrency === c).map((r) => [r.files, f(r)]);
  const written: Record<string, string> = {};

  const time: Series[] = concurrencies.map((c) => ({
    name: `ims-ingest, ${c} at once`,
    points: bySize(c, (r) => sec(r.ingest.wallMs)),
  }));
  for (const c of concurrencies)
    time.push({ name: `session floor, ${c} at once`, points: bySize(c, (r) => sec(r.floor.wallMs)), dashed: true });
  // Measured once per ims-ingest run: the fastest of a size is the least disturbed.
  time.push({
    name: 'data floor',
    points: sizes.map((f) => [f, sec(Math.min(...runs.filter((r) => r.files === f).map((r) => r.dataFloor.wallMs)))]),
    dashed: true,
  });
  if (perRow) {
    // Measured on the first sessions of the smallest corpus; drawn on at that rate.
    const rate = perRow.perRow.wallMs / perRow.perRow.files;
    time.push({
      name: `per-row (rate of ${perRow.perRow.files} files)`,
      points: [[0, 0], ...sizes.map((f): [number, number] => [f, sec(rate * f)])],
      dashed: true,
    });
  }
  written['time.svg'] = lineChart('Load time against corpus size', 'issue files', 'seconds', time);

  const largest = Math.max(...sizes);
  const big_ = runs.filter((r) => r.files === largest);
  written['stages.svg'] = barChart(
    `Where ims-ingest's time goes, ${largest} files (seconds, summed over sessions)`,
    ' s',
    ['read+parse', 'COPY', 'merge', 'wall'],
    big_.map((r) => ({
      name: `${r.concurrency} at once`,
      values: [sec(r.ingest.readMs), sec(r.ingest.copyMs), sec(r.ingest.mergeMs), sec(r.ingest.wallMs)],
    })),
  );

  const one = big_[0];
  const total = (list: { ms: number }[]) => list.reduce((a, t) => a + t.ms, 0) || 1;
  const names = [...new Set([...one.ingest.statements, ...one.floor.statements].map((t) => t.name))];
  const share = (list: { name: string; ms: number }[], n: string) =>
    +((100 * (list.find((t) => t.name === n)?.ms ?? 0)) / total(list)).toFixed(1);
  names.sort((a, b) => share(one.ingest.statements, b) - share(one.ingest.statements, a));
  written['statements.svg'] = barChart(
    `Share of each statement, ${largest} files, ${one.concurrency} at once (% of server time)`,
    '%',
    ['ims-ingest', 'session floor'],
    names
      .filter((n) => share(one.ingest.statements, n) + share(one.floor.statements, n) >= 0.5)
      .map((n) => ({
        name: n === 'other' ? 'other (index builds, ...)' : n,
        values: [share(one.ingest.statements, n), share(one.floor.statements, n)],
      })),
  );

  const memory: Series[] = concurrencies.map((c) => ({
    name: `${c} at once`,
    points: runs
      .filter((r) => r.concurrency === c)
      .map((r): [number, number] => [+(r.ingest.bytes / MB).toFixed(1), +r.ingest.peakRssMb!.toFixed(0)]),
  }));
  if (big)
    memory.push({
      name: `one ${big.fileMb.toFixed(0)} MB issue file`,
      points: [[+big.fileMb.toFixed(1), +big.ingest.peakRssMb!.toFixed(0)]],
    });
  if (big?.repaired)
    memory.push({
      name: 'the same, repaired',
      points: [[+big.repaired.fileMb.toFixed(1), +big.repaired.ingest.peakRssMb!.toFixed(0)]],
    });
  memory.push({
    name: 'target (200 MB)',
    points: [
      [0, 200],
      [Math.max(...runs.map((r) => r.ingest.bytes / MB)), 200],
    ],
    dashed: true,
  });
  written['memory.svg'] = lineChart(
    'Peak RSS of ims-ingest against input size',
    'MB of issue files loaded',
    'peak RSS, MB',
    memory,
  );

  for (const [name, svg] of Object.entries(written)) writeFileSync(join(dir, name), svg);
  return Object.keys(written).map((n) => join(dir, n));
}

if (require.main === module) {
  const [from, to] = process.argv.slice(2);
  if (!from || !to) {
    process.stderr.write('usage: node bench/out/build/bench/charts.js <results.json> <dir>\n');
    process.exit(2);
  }
  for (const path of writeCharts(JSON.parse(readFileSync(from, 'utf8')) as Results, to))
    process.stdout.write(`${path}\n`);
}
