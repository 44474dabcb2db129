import { describeError, IngestError } from '../../src/errors';

describe('describeError', () => {
  it('spells out an AggregateError of connection attempts instead of printing nothing', () => {
    const a = Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' });
    const b = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(describeError(new AggregateError([a, b]))).toBe(
      'connect ECONNREFUSED ::1:5432 [ECONNREFUSED]; connect ECONNREFUSED 127.0.0.1:5432 [ECONNREFUSED]',
    );
  });
  it('adds a driver error code and detail, but not to an IngestError', () => {
    const pg = Object.assign(new Error('duplicate key value'), {
      code: '23505',
      detail: 'Key (x)=(1) already exists.',
    });
    expect(describeError(pg)).toBe('duplicate key value [23505] (Key (x)=(1) already exists.)');
    expect(describeError(new IngestError('PARSE_FAILED', 'a.json: the file is empty'))).toBe(
      'a.json: the file is empty',
    );
    expect(describeError('plain')).toBe('plain');
    expect(describeError(undefined)).toBe('undefined');
  });
});
