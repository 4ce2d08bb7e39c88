import { narrowedSelector } from '../../../domain/automation/targets';

describe('explicit targets narrow a runbook’s selector', () => {
  const selector = { class: 'host', tags: ['lab'], where: { environment: 'prod' } };

  it('keep every other condition and add the ids as one more (an AND)', () => {
    expect(narrowedSelector(selector, ['ci-2', 'ci-1', 'ci-2'])).toEqual({ ...selector, ids: ['ci-2', 'ci-1'] });
  });

  it('keep only the ids in both lists when the runbook lists its own', () => {
    expect(narrowedSelector({ ids: ['ci-1', 'ci-2', 'ci-3'] }, ['ci-3', 'ci-9', 'ci-1'])).toEqual({ ids: ['ci-3', 'ci-1'] });
    expect(narrowedSelector({ ids: ['ci-1'] }, ['ci-9'])).toEqual({ ids: [] });
  });

  it('leave the selector alone without targets', () => {
    expect(narrowedSelector(selector, undefined)).toBe(selector);
  });
});
