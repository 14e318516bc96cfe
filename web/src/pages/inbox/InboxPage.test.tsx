import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { App } from 'antd';
import { MemoryRouter } from 'react-router';
import { describe, expect, it, vi } from 'vitest';
import type { InboxItem, WorkflowSummary, WorkflowTaskSteps } from '../../api/types';
import { AuthProvider } from '../../auth/auth';
import { I18nProvider } from '../../i18n/i18n';
import InboxPage from './InboxPage';

const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });

/** The inbox's one page: a single task, at 拟选对象 of poverty-entry. */
const TASK: InboxItem = {
  taskId: 't1',
  caseId: 'c1',
  caseVersion: 1,
  workflow: { key: 'poverty-entry', version: 4, label: '贫困户识别（建档立卡）' },
  step: { key: 'propose', label: '拟选对象' },
  role: 'officer',
  level: 'town',
  jurisdictionCode: '440781109',
  caseJurisdictionCode: '440781109200',
  title: '陈大明',
  dueAt: null,
  overdue: false,
  openedAt: '2026-03-02T01:00:00Z',
  assignment: 'offered',
  assigneeId: null,
  ownerId: null,
};

const WORKFLOWS: WorkflowSummary[] = [
  { key: 'poverty-entry', label: '贫困户识别（建档立卡）', labelEn: 'Poverty registration', latestVersion: 4, versions: [] },
  { key: 'poverty-exit', label: '贫困户退出', labelEn: 'Poverty exit', latestVersion: 2, versions: [] },
];

/** GET /api/workflows/steps: the same step key (propose, countyReview) in both procedures. */
const STEPS: WorkflowTaskSteps[] = [
  {
    key: 'poverty-entry',
    label: '贫困户识别（建档立卡）',
    labelEn: 'Poverty registration',
    steps: [
      { key: 'propose', label: '拟选对象', labelEn: 'Proposal' },
      { key: 'countyReview', label: '县级审核', labelEn: 'County review' },
    ],
  },
  {
    key: 'poverty-exit',
    label: '贫困户退出',
    labelEn: 'Poverty exit',
    steps: [
      { key: 'propose', label: '拟退出对象', labelEn: 'Exit proposal' },
      { key: 'countyReview', label: '县级核实', labelEn: 'County verification' },
    ],
  },
];

function renderInbox() {
  const inboxCalls: URLSearchParams[] = [];
  vi.stubGlobal('fetch', async (input: RequestInfo | URL) => {
    const url = new URL(String(input), 'http://localhost');
    if (url.pathname === '/api/tasks') {
      inboxCalls.push(url.searchParams);
      return json({ items: [TASK], nextCursor: null });
    }
    if (url.pathname === '/api/workflows') return json(WORKFLOWS);
    if (url.pathname === '/api/workflows/steps') return json(STEPS);
    if (url.pathname.startsWith('/api/jurisdictions/')) return json({ code: '440781109200', name: '大岭村', level: 'village', children: [] });
    throw new Error(`unexpected ${url.pathname}`);
  });
  render(
    <I18nProvider locale="zh-CN">
      <AuthProvider store={{ get: () => null, set: () => {} }}>
        <App>
          <MemoryRouter>
            <InboxPage />
          </MemoryRouter>
        </App>
      </AuthProvider>
    </I18nProvider>,
  );
  return { inboxCalls, ui: userEvent.setup() };
}

/** The open dropdown of a select. */
function dropdown(): HTMLElement {
  const popups = document.querySelectorAll<HTMLElement>('.ant-select-dropdown:not(.ant-select-dropdown-hidden)');
  return popups[popups.length - 1];
}

describe('the inbox’s step filter', () => {
  it('offers every step of the user’s procedures from the definitions, grouped by procedure — not only the steps of the loaded tasks', async () => {
    const { ui, inboxCalls } = renderInbox();
    expect(await screen.findByText('陈大明')).toBeInTheDocument();
    await ui.click(screen.getByRole('combobox', { name: '全部环节' }));
    await waitFor(() => expect(within(dropdown()).getByText('县级核实')).toBeInTheDocument());
    const popup = dropdown();
    // The groups, in the API's order, each with its steps in the definition's order.
    const texts = [...popup.querySelectorAll('.ant-select-item-group, .ant-select-item-option-content')].map((node) => node.textContent);
    expect(texts).toEqual(['贫困户识别（建档立卡）', '拟选对象', '县级审核', '贫困户退出', '拟退出对象', '县级核实']);

    // 县级核实 of poverty-exit: the step key countyReview is poverty-entry's too, so the procedure goes with it.
    await ui.click(within(popup).getByText('县级核实'));
    await waitFor(() => expect(inboxCalls).toHaveLength(2));
    expect(inboxCalls[1].get('workflow')).toBe('poverty-exit');
    expect(inboxCalls[1].get('step')).toBe('countyReview');
  });

  it('offers only the chosen procedure’s steps once the workflow filter is set', async () => {
    const { ui, inboxCalls } = renderInbox();
    expect(await screen.findByText('陈大明')).toBeInTheDocument();
    await ui.click(screen.getByRole('combobox', { name: '全部业务' }));
    await waitFor(() => expect(within(dropdown()).getByText('贫困户退出')).toBeInTheDocument());
    await ui.click(within(dropdown()).getByText('贫困户退出'));
    await waitFor(() => expect(inboxCalls.at(-1)?.get('workflow')).toBe('poverty-exit'));

    await ui.click(screen.getByRole('combobox', { name: '全部环节' }));
    await waitFor(() => expect(within(dropdown()).getByText('拟退出对象')).toBeInTheDocument());
    expect([...dropdown().querySelectorAll('.ant-select-item-option-content')].map((node) => node.textContent)).toEqual(['拟退出对象', '县级核实']);
  });
});
