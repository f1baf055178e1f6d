import { defineCaseType } from '../../src/cases/case-type.js';
import { CaseTypeRegistry } from '../../src/cases/case-type.registry.js';
import { isOpenStatus, OPEN_STATUS_SQL, OPEN_STATUSES, phaseOf } from '../../src/cases/phases.js';
import { RejectedInputError } from '../../src/common/errors.js';
import { REPORT_CASE_TYPE } from '../../src/tickets/case-types/report.case-type.js';
import { REQUEST_CASE_TYPE } from '../../src/tickets/case-types/request.case-type.js';

function registry(): CaseTypeRegistry {
  const r = new CaseTypeRegistry();
  r.register(REQUEST_CASE_TYPE);
  r.register(REPORT_CASE_TYPE);
  return r;
}

const rejected = (f: () => unknown): { field: string; message: string } => {
  try {
    f();
  } catch (err) {
    if (err instanceof RejectedInputError) return { field: err.field, message: err.message };
    throw err;
  }
  throw new Error('not rejected');
};

describe('core phases', () => {
  it('defines the open set once, and its SQL list from it', () => {
    expect(OPEN_STATUSES).toEqual(['new', 'open', 'waiting_citizen']);
    expect(OPEN_STATUS_SQL).toBe(`('new','open','waiting_citizen')`);
    expect(['resolved', 'closed'].some(isOpenStatus)).toBe(false);
    expect(phaseOf('waiting_citizen')).toBe('waiting');
    expect(() => phaseOf('lost')).toThrow();
  });
});

describe('request and report as case types (as before the registry)', () => {
  const types = registry();

  it('a request takes no payload fields: any object is accepted and emptied', () => {
    expect(types.get('request').parsePayload(undefined)).toEqual({});
    expect(types.get('request').parsePayload({ anything: 1 })).toEqual({});
    expect(rejected(() => types.get('request').parsePayload('text'))).toEqual({ field: 'payload', message: 'must be an object' });
    expect(rejected(() => types.get('request').parsePayload([1]))).toEqual({ field: 'payload', message: 'must be an object' });
  });

  it('a report keeps its address only, a text of at most 300 characters', () => {
    const report = types.get('report');
    expect(report.requiresLocation).toBe(true);
    expect(report.parsePayload(null)).toEqual({});
    expect(report.parsePayload({ address: 'Via Sparano 12', other: 'x' })).toEqual({ address: 'Via Sparano 12' });
    const bad = { field: 'payload.address', message: 'must be a text of at most 300 characters' };
    expect(rejected(() => report.parsePayload({ address: 'x'.repeat(301) }))).toEqual(bad);
    expect(rejected(() => report.parsePayload({ address: 12 }))).toEqual(bad);
    expect(rejected(() => report.parsePayload({ address: null }))).toEqual(bad);
  });

  it('both follow the standard status lifecycle and need an operator', () => {
    const request = types.get('request');
    expect(request.needsOperator && types.get('report').needsOperator).toBe(true);
    expect(request.canChangeStatus('new', 'resolved')).toBe(true);
    expect(request.canChangeStatus('resolved', 'waiting_citizen')).toBe(false);
    expect(request.canChangeStatus('closed', 'open')).toBe(true);
  });

  it('an unknown type is an input error naming the field', () => {
    expect(rejected(() => types.get('petition')).field).toBe('type');
  });

  it('refuses a name registered twice, and stages that lead nowhere', () => {
    expect(() => types.register(REQUEST_CASE_TYPE)).toThrow(/registered twice/);
    expect(() =>
      defineCaseType({
        name: 'broken',
        label: { it: 'Rotto', en: 'Broken' },
        requiresLocation: false,
        needsOperator: false,
        stages: { initial: 'a', stages: { a: { phase: 'open', label: { it: 'A', en: 'A' }, next: ['b'] } } },
      }),
    ).toThrow(/unknown stage b/);
  });
});
