import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { App } from 'antd';
import type { ReactNode } from 'react';
import { MemoryRouter, Route, Routes, useParams } from 'react-router';
import { describe, expect, it, vi } from 'vitest';
import type { AuthUser, StartableWorkflow } from '../../api/types';
import { AuthProvider, useAuth } from '../../auth/auth';
import { I18nProvider } from '../../i18n/i18n';
import NewCasePage from './NewCasePage';

const officer: AuthUser = { id: 'u1', username: 'ts-officer', displayName: '台山经办人', roles: ['officer'], jurisdictionCode: '440781109', permissions: [] };
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** GET /api/workflows/startable: one procedure that starts from a household file, one with a form in neither alphabetical nor any sorted order. */
const STARTABLE: StartableWorkflow[] = [
  {
    key: 'poverty-entry',
    label: '贫困户识别（建档立卡）',
    labelEn: 'Poverty registration',
    version: 4,
    start: { role: 'officer', level: 'town', fields: { householdName: { type: 'string', label: '户主姓名', required: true } } },
    jurisdiction: { level: 'town', required: false },
    household: { statuses: ['none'], fromFile: ['householdName'] },
    calledBy: [],
  },
  {
    key: 'relief-visit',
    label: '走访慰问',
    labelEn: 'Relief visit',
    version: 2,
    start: {
      role: 'officer',
      level: 'town',
      fields: {
        householdName: { type: 'string', label: '户主姓名', required: true, maxLength: 50 },
        village: { type: 'string', label: '所在村', maxLength: 50 },
        age: { type: 'integer', label: '户主年龄', min: 0, max: 130 },
      },
    },
    jurisdiction: { level: 'town', required: false },
    household: null,
    calledBy: [],
  },
];

function CaseStub() {
  return <div data-testid="case-page">case {useParams().id}</div>;
}

/** The pages behind the login: rendered once the session's user is known, as RequireAuth does. */
function SignedIn({ children }: { children: ReactNode }) {
  return useAuth().user ? <>{children}</> : null;
}

/** The page at /cases/new with the API answering from `answers` for POST /api/cases, one per call. */
function renderPage(answers: Response[] = []) {
  const posted: unknown[] = [];
  vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), 'http://localhost');
    if (url.pathname === '/api/auth/me') return json(200, officer);
    if (url.pathname === '/api/workflows/startable') return json(200, STARTABLE);
    if (url.pathname === '/api/jurisdictions/440781109') {
      return json(200, { code: '440781109', name: '端芬镇', level: 'town', children: [{ code: '440781109201', name: '大岭村', level: 'village' }] });
    }
    if (url.pathname === '/api/cases' && init?.method === 'POST') {
      posted.push(JSON.parse(String(init.body)));
      const answer = answers.shift();
      if (!answer) throw new Error('no answer left for POST /api/cases');
      return answer;
    }
    throw new Error(`unexpected ${init?.method ?? 'GET'} ${url.pathname}`);
  });
  const store = { get: () => ({ accessToken: 'a', refreshToken: 'r', expiresIn: 900, refreshExpiresIn: 604800 }), set: () => {} };
  render(
    <I18nProvider locale="zh-CN">
      <AuthProvider store={store}>
        <App>
          <SignedIn>
            <MemoryRouter initialEntries={['/cases/new']}>
              <Routes>
                <Route path="/cases/new" element={<NewCasePage />} />
                <Route path="/cases/:id" element={<CaseStub />} />
                <Route path="/households" element={<div data-testid="households-page" />} />
              </Routes>
            </MemoryRouter>
          </SignedIn>
        </App>
      </AuthProvider>
    </I18nProvider>,
  );
  return { posted, ui: userEvent.setup() };
}

/** The labels of a generated form, top to bottom. */
function labelsOf(form: HTMLElement): string[] {
  return [...form.querySelectorAll('.ant-form-item-label label')].map((label) => label.textContent ?? '');
}

/** The form item (label, input, messages) of the field `field` of the form `name`. */
function itemOf(name: string, field: string): HTMLElement {
  return document.getElementById(`${name}_${field}`)!.closest<HTMLElement>('.ant-form-item')!;
}

describe('the new case page', () => {
  it('offers what the user may start; a procedure’s start form has its fields in the definition’s order; a household procedure points to the files', async () => {
    const { ui } = renderPage();
    await ui.click(await screen.findByRole('radio', { name: /走访慰问/ }));
    const panel = await screen.findByTestId('new-case-relief-visit');
    const form = panel.querySelector<HTMLElement>('form#start_relief-visit')!;
    expect(labelsOf(form)).toEqual(['户主姓名', '所在村', '户主年龄']);
    expect(within(panel).queryByText('办理意见')).toBeNull(); // a start takes no comment
    expect(within(panel).getByTestId('case-jurisdiction-item')).toHaveTextContent('默认为本级（端芬镇）');

    await ui.click(screen.getByRole('radio', { name: /贫困户识别/ }));
    const entry = await screen.findByTestId('new-case-poverty-entry');
    expect(entry).toHaveTextContent('“贫困户识别（建档立卡）”从户档发起');
    expect(entry).toHaveTextContent('可以发起的户档状态：未建档');
    expect(entry.querySelector('form')).toBeNull(); // no form the API would take without the file
    await ui.click(within(entry).getByTestId('new-case-to-households'));
    expect(await screen.findByTestId('households-page')).toBeInTheDocument();
  });

  it('shows the API’s refusals beside the field they concern and above the form, keeps what was typed, and opens the case once started', async () => {
    const { ui, posted } = renderPage([
      json(400, {
        statusCode: 400,
        error: 'Bad Request',
        message: 'The case data is not valid: village is not a village of this town',
        details: { code: 'INVALID_INPUT', issues: [{ field: 'village', message: 'is not a village of this town' }] },
      }),
      json(422, {
        statusCode: 422,
        error: 'Unprocessable Entity',
        message: 'Jurisdiction 440781109 is not a division code inside your jurisdiction 440781109',
        details: { code: 'INVALID_JURISDICTION', placementLevel: 'town' },
      }),
      json(201, { id: 'c9', version: 0 }),
    ]);
    await ui.click(await screen.findByRole('radio', { name: /走访慰问/ }));
    const form = 'start_relief-visit';
    await ui.type(await screen.findByLabelText('户主姓名'), '陈大明');
    await ui.type(screen.getByLabelText('所在村'), '大岭');
    await ui.type(screen.getByLabelText('户主年龄'), '61');
    await ui.click(screen.getByTestId(`${form}-submit`));

    // 400 INVALID_INPUT with details.issues: beside 所在村, in words; the top says what happened.
    await waitFor(() => expect(itemOf(form, 'village')).toHaveTextContent('未通过系统校验：is not a village of this town'));
    expect(screen.getByTestId('error-alert')).toHaveTextContent('表单内容不符合要求，请按提示修改。');
    expect(screen.getByLabelText('户主姓名')).toHaveValue('陈大明');
    expect(screen.getByLabelText('所在村')).toHaveValue('大岭');
    expect(posted).toEqual([{ workflow: 'relief-visit', data: { householdName: '陈大明', village: '大岭', age: 61 } }]);

    // Corrected, sent again: 422 INVALID_JURISDICTION shows beside the division.
    await ui.type(screen.getByLabelText('所在村'), '村');
    await waitFor(() => expect(itemOf(form, 'village')).not.toHaveTextContent('未通过系统校验'));
    await ui.click(screen.getByTestId(`${form}-submit`));
    await waitFor(() => expect(screen.getByTestId('case-jurisdiction-item')).toHaveTextContent('所选区划不在您的管辖范围内，或高于此业务办理的层级。'));
    expect(screen.getByLabelText('所在村')).toHaveValue('大岭村');

    await ui.click(screen.getByTestId(`${form}-submit`));
    expect(await screen.findByTestId('case-page')).toHaveTextContent('case c9');
    expect(posted).toHaveLength(3);
    expect(posted[2]).toEqual({ workflow: 'relief-visit', data: { householdName: '陈大明', village: '大岭村', age: 61 } });
  });
});
