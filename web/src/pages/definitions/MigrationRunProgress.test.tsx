import { render, screen, waitFor, within } from '@testing-library/react';
import { App } from 'antd';
import { MemoryRouter } from 'react-router';
import { describe, expect, it, vi } from 'vitest';
import type { MigrationRun } from '../../api/definition-types';
import { AuthProvider } from '../../auth/auth';
import { I18nProvider } from '../../i18n/i18n';
import { MigrationRunProgress, runPercent } from './MigrationRunProgress';

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const RUN: MigrationRun = {
  id: 'r1',
  workflow: 'poverty-entry',
  fromVersion: 4,
  toVersion: 5,
  mapping: { support: 'supportPlan' },
  requestedBy: { id: 'u1', username: 'admin' },
  status: 'queued',
  counts: { total: 104, pending: 104, migrated: 0, refused: 0, skipped: 0, failed: 0 },
  createdAt: '2026-03-10T02:00:00.000Z',
  startedAt: null,
  finishedAt: null,
  error: null,
  refusals: [],
};
const REFUSAL = "the countersign of step 'countyReview' changed (all → any): votes already cast would be counted under another rule";

/** The answers of GET …/migrations/r1, one per poll: queued, half-way, done. */
const ANSWERS: MigrationRun[] = [
  RUN,
  { ...RUN, status: 'running', startedAt: '2026-03-10T02:00:01.000Z', counts: { total: 104, pending: 52, migrated: 51, refused: 1, skipped: 0, failed: 0 }, refusals: [{ caseId: 'c-d', title: '李四', outcome: 'refused', reason: REFUSAL, handledAt: '2026-03-10T02:00:02.000Z' }] },
  {
    ...RUN,
    status: 'done',
    startedAt: '2026-03-10T02:00:01.000Z',
    finishedAt: '2026-03-10T02:00:05.000Z',
    counts: { total: 104, pending: 0, migrated: 102, refused: 1, skipped: 1, failed: 0 },
    refusals: [
      { caseId: 'c-d', title: '李四', outcome: 'refused', reason: REFUSAL, handledAt: '2026-03-10T02:00:02.000Z' },
      { caseId: 'c-a', title: '陈大明', outcome: 'skipped', reason: 'the case is already on version 5', handledAt: '2026-03-10T02:00:04.000Z' },
    ],
  },
];

function renderProgress(fetchImpl: typeof fetch, onFinished = vi.fn()) {
  vi.stubGlobal('fetch', fetchImpl);
  const store = { get: () => null, set: () => {} };
  render(
    <I18nProvider locale="zh-CN">
      <AuthProvider store={store}>
        <App>
          <MemoryRouter>
            <MigrationRunProgress workflowKey="poverty-entry" runId="r1" pollMs={20} onFinished={onFinished} />
          </MemoryRouter>
        </App>
      </AuthProvider>
    </I18nProvider>,
  );
  return onFinished;
}

describe('the progress of a migration run', () => {
  it('follows the run until it is done, then shows the cases not moved with their reasons and stops asking', async () => {
    const calls: string[] = [];
    const onFinished = renderProgress(async (input) => {
      calls.push(String(input));
      return json(200, ANSWERS[Math.min(calls.length - 1, ANSWERS.length - 1)]);
    });

    expect(await screen.findByTestId('migration-run-status')).toHaveTextContent(/排队中|迁移中|已完成/);
    expect(screen.getByTestId('migration-run')).toHaveTextContent('迁移进度：第 4 版 → 第 5 版');
    expect(screen.getByTestId('migration-run')).toHaveTextContent('admin 发起于');

    await waitFor(() => expect(screen.getByTestId('migration-run-status')).toHaveTextContent('已完成'));
    expect(calls).toEqual(['/api/workflows/poverty-entry/migrations/r1', '/api/workflows/poverty-entry/migrations/r1', '/api/workflows/poverty-entry/migrations/r1']);
    expect(screen.getByTestId('migration-run-progress')).toHaveAttribute('aria-valuenow', '100');
    const text = screen.getByTestId('migration-run-counts').textContent;
    for (const part of ['案件数104', '已迁移102', '不能迁移1', '已在新版本1', '迁移失败0', '待处理0']) expect(text).toContain(part);

    const rows = within(screen.getByTestId('migration-run-refusals')).getAllByRole('row').slice(1);
    expect(rows.map((row) => row.textContent)).toEqual([`李四不能迁移${REFUSAL}`, '陈大明已在新版本the case is already on version 5']);
    expect(within(rows[0]).getByRole('link', { name: '李四' })).toHaveAttribute('href', '/cases/c-d');
    expect(onFinished).toHaveBeenCalledTimes(1);
    expect(onFinished).toHaveBeenCalledWith(expect.objectContaining({ status: 'done' }));

    // Done: no more questions, however long one waits.
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(calls).toHaveLength(3);
  });

  it('shows the run half-way with its share handled', async () => {
    renderProgress(async () => json(200, ANSWERS[1]));
    await waitFor(() => expect(screen.getByTestId('migration-run-status')).toHaveTextContent('迁移中'));
    expect(screen.getByTestId('migration-run-progress')).toHaveAttribute('aria-valuenow', '50');
    expect(screen.getByTestId('migration-run-counts').textContent).toContain('待处理52');
    expect(runPercent({ total: 0, pending: 0, migrated: 0, refused: 0, skipped: 0, failed: 0 })).toBe(100);
  });

  it('says why a run stopped', async () => {
    const onFinished = renderProgress(async () => json(200, { ...RUN, status: 'failed', error: 'Version 5 is deprecated: no case moves onto it', finishedAt: '2026-03-10T02:00:01.000Z' }));
    await waitFor(() => expect(screen.getByTestId('migration-run-status')).toHaveTextContent('已中止'));
    expect(screen.getByTestId('migration-run-error')).toHaveTextContent('Version 5 is deprecated: no case moves onto it');
    expect(screen.getByTestId('migration-run-refusals')).toHaveTextContent('没有未迁移的案件。');
    expect(onFinished).toHaveBeenCalledTimes(1);
  });
});
