import { migrationFiles } from '../../src/db/migrate';

// Migrations are forward-only: a database records each applied file's SHA-256 and ims-ingest
// refuses to run when a file it applied has changed (MIGRATION_CHECKSUM). These are the files
// as released; editing one would lock every database migrated with it out of the next version.
// A change to the schema is a new file, added here once it is released.
const RELEASED: Record<string, string> = {
  '0001_schema': '96a10f6fa0626ae5be9504aa458de0950260b8aa4ae55895ca55d4fb086f6f0e',
  '0002_functions': '42cb3b353414b6bb915c267eb1c361325ff00f2ee46e18358291b45fda70c1d9',
  '0003_search': 'dd8a8c0beb16267dde78e8c9f1c3e46eb650322347b3d25316321525772d5529',
  '0004_audit_log': '5c3798d7b35e9863fa1546217028fca636885483d95ecc0759d98ca4ae9f5b1a',
  '0005_views': 'd3d0eb5a42cd3f1b43eab80dc816b718b90c99cbd0ab33ecc3c98ad2e03ca003',
  '0006_security': 'f6bc4c741ec1d4cf714dda6f5be4d3210d217e3d3b53d8531ff36a0621edf905',
  '0007_analytics': '61cc6330c3aea7ec8e8cadb6a894721bb90e5eb87b4e4da1eecbab804ec63920',
  '0008_cheaper_merge': '76cbc78f13a48b724f72b4b2169110ca73e3c1ea0ec931003bfa771ca3ff4bc0',
  '0009_search': '56eae422a650182e6332ed203a86db24fbe40630bae9b633603349115923b8ae',
  '0010_isolation': '49370408233b27fd0a374d52ac6c16343ed25b8ae52f9c3aaab9027627249609',
  '0011_query_history': '165f142a01a645e16ba2f4c48c33ae5c033fb92660713bd46ebe54a32ff34c62',
  '0012_analytics_watermark': '2fe739df164c87b1852474d8e608447d69cb7546e4320f46f47b49ed27c469c1',
  '0013_deferred_indexes': 'ac87ac62de6b340a118c33d5ee43222f3c42e7436bb6d8ce970d08b028004ebf',
  '0014_search_access': '823b409e63b9e24d6d616550fd29a9ea464738644942b4ced02168c52e811300',
};

it('leaves every released migration exactly as it was released', () => {
  const current = Object.fromEntries(migrationFiles().map((f) => [f.name, f.checksum]));
  for (const [name, checksum] of Object.entries(RELEASED))
    expect({ name, checksum: current[name] }).toEqual({ name, checksum });
});

it('numbers migrations 1, 2, 3 ... with no gap or repeat', () => {
  expect(migrationFiles().map((f) => f.id)).toEqual(migrationFiles().map((_, i) => i + 1));
});
