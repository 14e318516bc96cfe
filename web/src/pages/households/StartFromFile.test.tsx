import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { App } from 'antd';
import { MemoryRouter, Route, Routes, useLocation, useParams } from 'react-router';
import { describe, expect, it, vi } from 'vitest';
import type { HouseholdFile, StartableWorkflow } from '../../api/types';
import { AuthProvider } from '../../auth/auth';
import { I18nProvider } from '../../i18n/i18n';
import { StartFromFile } from './StartFromFile';

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const household = (registerStatus: HouseholdFile['registerStatus'], cases: HouseholdFile['cases'] = []) =>
  ({ id: 'h1', headName: '谭阿婆', registerStatus, cases, access: 'write' }) as HouseholdFile;

const fromFile = (key: string, label: string, statuses: HouseholdFile['registerStatus'][], fields: StartableWorkflow['start']['fields'], filled: string[]): StartableWorkflow => ({
  key,
  label,
  labelEn: null,
  version: 1,
  start: { role: 'officer', level: 'town', fields },
  jurisdiction: { level: 'town', required: false },
  household: { statuses, fromFile: filled },
  calledBy: [],
});

const STARTABLE: StartableWorkflow[] = [
  fromFile('disaster-reentry', '因灾返贫重新纳入', ['exited'], {
    householdName: { type: 'string', label: '户主姓名', required: true },
    disasterType: { type: 'enum', label: '灾害类型', required: true, options: ['typhoon', 'flood'], optionLabels: { typhoon: '台风', flood: '洪涝' } },
    lossDescription: { type: 'text', label: '损失情况', required: true },
  }, ['householdName']),
  fromFile('poverty-entry', '贫困户识别（建档立卡）', ['none'], { householdName: { type: 'string', label: '户主姓名', required: true } }, ['householdName']),
  fromFile('poverty-exit', '贫困户退出', ['registered', 'reentered'], { householdName: { type: 'string', label: '户主姓名', required: true } }, ['householdName']),
];

function CaseStub() {
  const state = useLocation().state as { prefill?: unknown } | null;
  return <div data-testid="case-page">case {useParams().id} {JSON.stringify(state?.prefill ?? null)}</div>;
}

function renderButtons(file: HouseholdFile, answers: Response[] = []) {
  const posted: unknown[] = [];
  vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), 'http://localhost');
    if (url.pathname === '/api/workflows/startable') return json(200, STARTABLE);
    if (url.pathname === '/api/households/h1/cases' && init?.method === 'POST') {
      posted.push(JSON.parse(String(init.body)));
      return answers.shift() ?? json(201, { case: { id: 'c7' }, prefill: null });
    }
    throw new Error(`unexpected ${init?.method ?? 'GET'} ${url.pathname}`);
  });
  render(
    <I18nProvider locale="zh-CN">
      <AuthProvider store={{ get: () => null, set: () => {} }}>
        <App>
          <MemoryRouter initialEntries={['/households/h1']}>
            <Routes>
              <Route path="/households/:id" element={<StartFromFile household={file} />} />
              <Route path="/cases/:id" element={<CaseStub />} />
            </Routes>
          </MemoryRouter>
        </App>
      </AuthProvider>
    </I18nProvider>,
  );
  return { posted, ui: userEvent.setup() };
}

describe('starting a procedure from a household file', () => {
  it('offers what the file’s status starts, and a procedure already open as a link to its case', async () => {
    renderButtons(household('registered', [{ id: 'c1', workflow: 'poverty-exit', status: 'active', title: '谭阿婆', finished: false, createdAt: '2026-03-01T00:00:00Z' }]));
    expect(await screen.findByText('查看在办的贫困户退出')).toHaveAttribute('href', '/cases/c1');
    expect(screen.queryByTestId('start-from-file-poverty-entry')).toBeNull();
    expect(screen.queryByTestId('start-from-file-disaster-reentry')).toBeNull();
  });

  it('asks only for what the file does not hold, keeps it through a refusal, and opens the case', async () => {
    const refusal = json(409, {
      statusCode: 409,
      error: 'Conflict',
      message: 'The household already has an open disaster-reentry case',
      details: { code: 'CASE_ALREADY_OPEN', caseId: 'c0' },
    });
    const { ui, posted } = renderButtons(household('exited'), [refusal]);
    await ui.click(await screen.findByTestId('start-from-file-disaster-reentry'));
    const dialog = await screen.findByRole('dialog');
    expect([...dialog.querySelectorAll('.ant-form-item-label label')].map((label) => label.textContent)).toEqual(['灾害类型', '损失情况']);
    await ui.click(within(dialog).getByText('台风'));
    await ui.type(within(dialog).getByLabelText('损失情况'), '房屋受损');
    await ui.click(within(dialog).getByTestId('file_disaster-reentry-submit'));
    expect(await within(dialog).findByTestId('error-alert')).toHaveTextContent('该户已有一个在办的同类申报。');
    expect(within(dialog).getByLabelText('损失情况')).toHaveValue('房屋受损');
    await ui.click(within(dialog).getByTestId('file_disaster-reentry-submit'));
    expect(await screen.findByTestId('case-page')).toHaveTextContent('case c7');
    const sent = { workflow: 'disaster-reentry', data: { disasterType: 'typhoon', lossDescription: '房屋受损' } };
    await waitFor(() => expect(posted).toEqual([sent, sent]));
  });
});
