import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * docs/schema.md's Mermaid diagram against test/schema.sql (the dump of the migrated schema):
 * every table, every primary, unique and foreign key column, every foreign key as a relation.
 */

const ROOT = join(__dirname, '..', '..');
const dump = readFileSync(join(ROOT, 'test', 'schema.sql'), 'utf8');
const doc = readFileSync(join(ROOT, 'docs', 'schema.md'), 'utf8');
const mermaid = /```mermaid\n(erDiagram\n[\s\S]*?)```/.exec(doc)?.[1] ?? '';

interface Table {
  keys: Map<string, Set<string>>;
}

/** Tables of the dump (partitions of audit_log other than by name are its own), with their key columns. */
function dumpTables(): Map<string, { pk: string[]; uk: string[]; fk: [string, string][] }> {
  const out = new Map<string, { pk: string[]; uk: string[]; fk: [string, string][] }>();
  for (const m of dump.matchAll(/^TABLE ims\.(\w+)([^\n]*)\(\n([\s\S]*?)\n\);/gm)) {
    if (/PARTITION DEFAULT|PARTITION OF/.test(m[2])) continue;
    const body = m[3];
    const cols = (re: RegExp) => [...body.matchAll(re)].flatMap((x) => x[1].split(',').map((c) => c.trim()));
    out.set(m[1], {
      pk: cols(/PRIMARY KEY \(([^)]*)\)/g),
      uk: cols(/UNIQUE (?:NULLS NOT DISTINCT )?\(([^)]*)\)/g),
      fk: [...body.matchAll(/FOREIGN KEY \((\w+)\) REFERENCES ims\.(\w+)/g)].map(
        (x) => [x[1], x[2]] as [string, string],
      ),
    });
  }
  return out;
}

function diagramTables(): Map<string, Table> {
  const out = new Map<string, Table>();
  for (const m of mermaid.matchAll(/^ {4}(\w+) \{\n([\s\S]*?)\n {4}\}/gm)) {
    const keys = new Map<string, Set<string>>();
    for (const line of m[2].split('\n')) {
      const a = /^\s+\w+ (\w+)(?: ((?:PK|FK|UK)(?:, (?:PK|FK|UK))*))?(?: "[^"]*")?$/.exec(line);
      if (!a) throw new Error(`not a Mermaid attribute line: ${line}`);
      keys.set(a[1], new Set(a[2] ? a[2].split(', ') : []));
    }
    out.set(m[1], { keys });
  }
  return out;
}

const relations = new Set(
  [...mermaid.matchAll(/^ {4}(\w+) [|o}{]{2}--[|o}{]{2} (\w+) :/gm)].map((m) => `${m[1]}->${m[2]}`),
);

it('has one entity per table of the schema, and no other', () => {
  expect([...diagramTables().keys()].sort()).toEqual([...dumpTables().keys()].sort());
  expect(dumpTables().size).toBeGreaterThanOrEqual(12);
});

it.each([...dumpTables()])('%s: its keys are marked and its foreign keys drawn', (name, t) => {
  const entity = diagramTables().get(name)!;
  const marked = (col: string, key: string) => entity.keys.get(col)?.has(key) ?? false;
  for (const c of t.pk) expect({ col: c, pk: marked(c, 'PK') }).toEqual({ col: c, pk: true });
  for (const c of t.uk) expect({ col: c, uk: marked(c, 'UK') }).toEqual({ col: c, uk: true });
  for (const [col, target] of t.fk) {
    expect({ col, fk: marked(col, 'FK') }).toEqual({ col, fk: true });
    expect({ relation: `${target}->${name}`, drawn: relations.has(`${target}->${name}`) }).toEqual({
      relation: `${target}->${name}`,
      drawn: true,
    });
  }
});
