import { Problem, problem as buildProblem, ProblemList } from '../../src/files/session-errors';

function problem(n: number, severity: Problem['severity'] = 'error'): Problem {
  return {
    error_key: `parse:${n}_20260103_120902.json`,
    error_type: 'parsing',
    severity,
    message: `${n}_20260103_120902.json: ends before the JSON value is complete (half-written?)`,
    detail: { n },
    file_path: `${n}_20260103_120902.json`,
    occurred_raw: '20260103_120902',
  };
}

describe('ProblemList', () => {
  it('starts empty', () => {
    const list = new ProblemList();
    expect(list.items).toEqual([]);
    expect(list.toRows()).toEqual([]);
    expect(list.errors).toBe(0);
    expect(list.warnings).toBe(0);
  });

  it('counts errors and warnings, not infos, and keeps every problem in order', () => {
    const list = new ProblemList();
    list.add(problem(1, 'error'));
    list.add(problem(2, 'warning'));
    list.add(problem(3, 'info'));
    list.add(problem(4, 'warning'));
    list.add(problem(5, 'error'));
    list.add(problem(6, 'warning'));
    expect(list.errors).toBe(2);
    expect(list.warnings).toBe(3);
    expect(list.items.map((p) => p.error_key)).toEqual(
      [1, 2, 3, 4, 5, 6].map((n) => `parse:${n}_20260103_120902.json`),
    );
    expect(list.toRows()).toEqual(list.items);
  });

  it('keeps exactly 5000 problems without a truncation entry', () => {
    const list = new ProblemList();
    for (let i = 0; i < 5000; i++) list.add(problem(i));
    const rows = list.toRows();
    expect(rows).toHaveLength(5000);
    expect(rows.some((r) => r.error_key === 'problems:truncated')).toBe(false);
    expect(list.errors).toBe(5000);
  });

  it('keeps the first 5000 and closes with one entry counting the rest; counters count them all', () => {
    const list = new ProblemList();
    for (let i = 0; i < 5000; i++) list.add(problem(i, 'error'));
    for (let i = 5000; i < 5007; i++) list.add(problem(i, i % 2 === 0 ? 'warning' : 'info'));
    expect(list.items).toHaveLength(5000);
    expect(list.items[4999].error_key).toBe('parse:4999_20260103_120902.json');
    expect(list.errors).toBe(5000);
    expect(list.warnings).toBe(4); // 5000, 5002, 5004, 5006
    const rows = list.toRows();
    expect(rows).toHaveLength(5001);
    expect(rows.slice(0, 5000)).toEqual(list.items);
    expect(rows[5000]).toEqual({
      error_key: 'problems:truncated',
      error_type: 'reading',
      severity: 'warning',
      message: '7 more problems in this session were not recorded (limit 5000)',
      detail: { dropped: 7 },
      file_path: null,
      occurred_raw: null,
    });
    // toRows does not add the entry to the list itself.
    expect(list.items).toHaveLength(5000);
    expect(list.toRows()).toHaveLength(5001);
  });
});

describe('problem()', () => {
  it('builds the session_errors row, with what it does not point at as null', () => {
    expect(buildProblem('preview:1/a.log', 'reading', 'warning', 'cannot read')).toEqual({
      error_key: 'preview:1/a.log',
      error_type: 'reading',
      severity: 'warning',
      message: 'cannot read',
      detail: null,
      file_path: null,
      occurred_raw: null,
    });
    expect(
      buildProblem('parse:1_20260103_120902.json', 'parsing', 'error', 'bad', {
        detail: { size: 3 },
        file: '/s/1.json',
        occurredRaw: '20260103_120902',
      }),
    ).toMatchObject({ detail: { size: 3 }, file_path: '/s/1.json', occurred_raw: '20260103_120902' });
  });
});
