import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { App } from 'antd';
import { describe, expect, it, vi } from 'vitest';
import type { AuthUser } from '../../api/types';
import { AuthProvider } from '../../auth/auth';
import { I18nProvider } from '../../i18n/i18n';
import { CaseComments } from './CaseComments';
import { commentLength } from './comment-rules';

const officer: AuthUser = { id: 'u1', username: 'ts-officer', displayName: '台山经办人', roles: ['officer'], jurisdictionCode: '440781109', permissions: [] };
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

function renderBox(fetchImpl: typeof fetch, user: AuthUser = officer) {
  vi.stubGlobal('fetch', fetchImpl);
  const onPosted = vi.fn();
  const store = { get: () => null, set: () => {} };
  render(
    <I18nProvider locale="zh-CN">
      <AuthProvider store={store}>
        <App>
          <CaseComments caseId="c1" user={user} onPosted={onPosted} />
        </App>
      </AuthProvider>
    </I18nProvider>,
  );
  return { onPosted, ui: userEvent.setup() };
}

describe('the comment box', () => {
  it('refuses an empty or blank comment before sending anything', async () => {
    const calls: string[] = [];
    const { ui, onPosted } = renderBox(async (input, init) => {
      calls.push(`${init?.method} ${String(input)}`);
      return json(201, {});
    });
    await ui.click(screen.getByTestId('comment-send'));
    expect(await screen.findByTestId('comment-problem')).toHaveTextContent('请先填写意见内容');
    await ui.type(screen.getByTestId('comment-text'), '   ');
    await ui.click(screen.getByTestId('comment-send'));
    expect(await screen.findByTestId('comment-problem')).toHaveTextContent('请先填写意见内容');
    expect(calls).toEqual([]);
    expect(onPosted).not.toHaveBeenCalled();
  });

  it('refuses 2,001 characters, counted as the API counts them, and sends 2,000', async () => {
    const bodies: unknown[] = [];
    const { ui, onPosted } = renderBox(async (input, init) => {
      bodies.push([String(input), JSON.parse(String(init?.body))]);
      return json(201, { seq: 2, at: '2026-03-02T02:00:00Z', actor: { kind: 'user', id: 'u1', username: 'ts-officer' }, text: 'x' });
    });
    const box = screen.getByTestId('comment-text');
    await ui.click(box);
    await ui.paste('意'.repeat(2001));
    expect(box).toHaveValue('意'.repeat(2001)); // never silently cut
    await ui.click(screen.getByTestId('comment-send'));
    expect(await screen.findByTestId('comment-problem')).toHaveTextContent('意见不能超过 2000 个字');
    expect(bodies).toEqual([]);

    await ui.type(box, '{Backspace}');
    await ui.click(screen.getByTestId('comment-send'));
    await waitFor(() => expect(onPosted).toHaveBeenCalledTimes(1));
    expect(bodies).toEqual([['/api/cases/c1/comments', { text: '意'.repeat(2000) }]]);
    expect(box).toHaveValue('');
    expect(screen.queryByTestId('comment-problem')).toBeNull();
  });

  it('counts a character outside the BMP once, as the API does', () => {
    expect(commentLength('𠀀'.repeat(2000))).toBe(2000);
    expect(commentLength('👍️')).toBe(1);
  });

  it('shows the API’s refusal in words and keeps the text', async () => {
    const { ui, onPosted } = renderBox(async () => json(403, { statusCode: 403, error: 'Forbidden', message: 'You may read case c1 but not act on it', details: { code: 'READ_ONLY_ACCESS' } }));
    await ui.type(screen.getByTestId('comment-text'), '补充说明');
    await ui.click(screen.getByTestId('comment-send'));
    expect(await screen.findByTestId('error-alert')).toHaveTextContent('您只能查看此案件，不能办理。');
    expect(screen.getByTestId('comment-text')).toHaveValue('补充说明');
    expect(onPosted).not.toHaveBeenCalled();
  });

  it('tells an auditor they may only read', () => {
    renderBox(async () => json(500, {}), { ...officer, roles: ['auditor'] });
    expect(screen.getByText('您对此案件只有查阅权限，不能发表意见。')).toBeInTheDocument();
    expect(screen.queryByTestId('comment-send')).toBeNull();
  });
});
