import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { AuthProvider } from '../../auth/auth';
import { I18nProvider } from '../../i18n/i18n';
import { ObjectionForm } from './ObjectionForm';

const notice = { id: 'n1', householdName: '邝永康', town: '台山市端芬镇', village: null, proposal: '拟纳入建档立卡贫困户', period: { start: '2026-05-01', end: '2026-05-08' } };

function renderForm(fetchImpl: typeof fetch) {
  vi.stubGlobal('fetch', fetchImpl);
  const store = { get: () => null, set: () => {} };
  return render(
    <I18nProvider locale="zh-CN">
      <AuthProvider store={store}>
        <ObjectionForm notice={notice} />
      </AuthProvider>
    </I18nProvider>,
  );
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const token = { formToken: 'v1.tok', notBefore: new Date(Date.now() - 1000).toISOString(), expiresAt: new Date(Date.now() + 3_600_000).toISOString() };

describe('the objection form', () => {
  it('says what is missing before sending anything', async () => {
    const calls: string[] = [];
    renderForm(async (input, init) => {
      calls.push(`${init?.method} ${String(input)}`);
      return json(200, token);
    });
    await waitFor(() => expect(screen.getByTestId('objection-submit')).not.toBeDisabled());
    await userEvent.type(screen.getByLabelText('姓名'), 'x'.repeat(50));
    await userEvent.click(screen.getByTestId('objection-submit'));
    expect(await screen.findByText('请填写异议内容')).toBeInTheDocument();
    expect(calls).toEqual(['GET /api/public/notices/n1/form-token']);
  });

  it('sends the objection without the honeypot and shows the receipt', async () => {
    const bodies: unknown[] = [];
    renderForm(async (_input, init) => {
      if (init?.method === 'POST') {
        bodies.push(JSON.parse(String(init.body)));
        return json(202, { reference: 'GS-2026-0001', receivedAt: '2026-05-02T02:00:00Z', message: '已收到' });
      }
      return json(200, token);
    });
    await waitFor(() => expect(screen.getByTestId('objection-submit')).not.toBeDisabled());
    await userEvent.type(screen.getByLabelText('异议内容'), '务工收入未申报');
    await userEvent.click(screen.getByTestId('objection-submit'));
    expect(await screen.findByTestId('objection-reference')).toHaveTextContent('GS-2026-0001');
    expect(bodies).toEqual([{ text: '务工收入未申报', formToken: 'v1.tok' }]);
  });

  it('answers 429 with a friendly wait from Retry-After', async () => {
    renderForm(async (_input, init) =>
      init?.method === 'POST' ? json(429, { statusCode: 429, error: 'Too Many Requests', message: 'slow down', details: { code: 'TOO_MANY_OBJECTIONS' } }, { 'retry-after': '600' }) : json(200, token),
    );
    await waitFor(() => expect(screen.getByTestId('objection-submit')).not.toBeDisabled());
    await userEvent.type(screen.getByLabelText('异议内容'), '不属实');
    await userEvent.click(screen.getByTestId('objection-submit'));
    expect(await screen.findByTestId('objection-too-many')).toHaveTextContent('请在约 10 分钟后再试');
  });
});
