import { runView, type MigrationRunRow } from '../../../src/definitions/migration-run.js';

const ROW: MigrationRunRow = {
  id: 'r1',
  workflow_key: 'poverty-entry',
  from_version: 4,
  to_version: 5,
  mapping: { support: 'supportPlan' },
  requested_by: 'u1',
  requested_by_username: 'admin',
  status: 'running',
  total: 104,
  migrated: 60,
  refused: 2,
  skipped: 1,
  failed: 1,
  created_at: new Date('2026-03-10T02:00:00Z'),
  started_at: new Date('2026-03-10T02:00:01Z'),
  finished_at: null,
  error: null,
};

describe('a migration run as the API shows it', () => {
  it('counts the cases not handled yet as pending', () => {
    expect(runView(ROW).counts).toEqual({ total: 104, pending: 40, migrated: 60, refused: 2, skipped: 1, failed: 1 });
  });

  it('lists the cases not moved only when they are given (a single run, not the list)', () => {
    expect(runView(ROW).refusals).toBeUndefined();
    const refusals = [{ caseId: 'c1', title: '陈大明', outcome: 'refused' as const, reason: 'the case has finished', handledAt: null }];
    expect(runView(ROW, refusals)).toMatchObject({ workflow: 'poverty-entry', requestedBy: { id: 'u1', username: 'admin' }, refusals });
  });
});
