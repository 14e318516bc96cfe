import { Alert, App, Button, Card, Input, Space, Typography } from 'antd';
import { useState } from 'react';
import type { AuthUser } from '../../api/types';
import { useAuth } from '../../auth/auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useI18n } from '../../i18n/i18n';
import { COMMENT_MAX_LENGTH, commentLength, commentProblem } from './comment-rules';

/**
 * The comment box of a case (会商意见): what is typed goes into the case's history as a
 * `comment` row, shown in the timeline with who and when. Checked as the API checks it
 * (not blank, at most 2,000 characters) before anything is sent; the API's refusal (a
 * read-only user: 403) shows beneath. `onPosted` reloads the page's history.
 */
export function CaseComments({ caseId, user, onPosted }: { caseId: string; user: AuthUser; onPosted(): unknown }) {
  const { t } = useI18n();
  const { api } = useAuth();
  const { message } = App.useApp();
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // Auditors read every case of their subtree and never act on one (src/cases/case-access.ts).
  const readOnly = user.roles.every((role) => role === 'auditor');

  async function send() {
    const found = commentProblem(text);
    setProblem(found ? t(found.key, found.vars) : null);
    setError(null);
    if (found) return;
    setBusy(true);
    try {
      await api.addComment(caseId, text);
      setText('');
      void message.success(t('comments.sent'));
      await onPosted();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card size="small" title={t('comments.title')} data-testid="case-comments">
      {readOnly ? (
        <Typography.Text type="secondary">{t('comments.readOnly')}</Typography.Text>
      ) : (
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Input.TextArea
            value={text}
            onChange={(event) => {
              setText(event.target.value);
              if (problem) setProblem(null);
            }}
            placeholder={t('comments.placeholder')}
            aria-label={t('comments.title')}
            autoSize={{ minRows: 2, maxRows: 8 }}
            // Counted and marked, never cut: a pasted text over the limit is told, not silently shortened.
            count={{ show: true, max: COMMENT_MAX_LENGTH, strategy: commentLength }}
            status={problem ? 'error' : undefined}
            data-testid="comment-text"
          />
          {problem ? <Alert type="error" showIcon title={problem} data-testid="comment-problem" /> : null}
          {error ? <ErrorAlert error={error} onClose={() => setError(null)} /> : null}
          <Button type="primary" loading={busy} onClick={() => void send()} data-testid="comment-send">
            {t('comments.send')}
          </Button>
        </Space>
      )}
    </Card>
  );
}
