import { Alert, Button, Form, Input, Result, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { ApiError } from '../../api/client';
import type { FormToken, ObjectionReceipt, PublicNotice } from '../../api/types';
import { useAuth } from '../../auth/auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatDateTime } from '../../components/format';
import { useI18n } from '../../i18n/i18n';
import { checkObjection, objectionBody, OBJECTION_LIMITS, waitBeforeSending, type ObjectionInput } from './objection-rules';

/** Codes after which a fresh form token lets the person send again. */
const TOKEN_CODES = new Set(['FORM_TOKEN_USED', 'FORM_TOKEN_EXPIRED', 'FORM_TOKEN_TOO_EARLY', 'FORM_TOKEN_INVALID']);

/**
 * The objection form of one notice: asks the API for a form token when it opens, holds the
 * send until the token is old enough, and shows the receipt. The honeypot field `website`
 * is out of sight and out of the tab order; only a robot fills it in.
 */
export function ObjectionForm({ notice, onDone }: { notice: PublicNotice; onDone?(): void }) {
  const { t, locale } = useI18n();
  const { api } = useAuth();
  const [form] = Form.useForm<ObjectionInput>();
  const [token, setToken] = useState<FormToken | null>(null);
  const [tokenError, setTokenError] = useState<unknown>(null);
  const [website, setWebsite] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [receipt, setReceipt] = useState<ObjectionReceipt | null>(null);

  const fetchToken = useCallback(async () => {
    setTokenError(null);
    try {
      setToken(await api.formToken(notice.id));
    } catch (caught) {
      setTokenError(caught);
    }
  }, [api, notice.id]);

  useEffect(() => {
    void fetchToken();
  }, [fetchToken]);

  async function submit(values: ObjectionInput) {
    if (!token) return;
    setBusy(true);
    setError(null);
    try {
      let current = token;
      if (new Date(current.expiresAt).getTime() <= Date.now()) {
        current = await api.formToken(notice.id);
        setToken(current);
      }
      const wait = waitBeforeSending(current.notBefore, Date.now());
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      setReceipt(await api.object(notice.id, objectionBody(values, current.formToken, website)));
    } catch (caught) {
      setError(caught);
      if (caught instanceof ApiError && caught.code && TOKEN_CODES.has(caught.code)) void fetchToken();
    } finally {
      setBusy(false);
    }
  }

  if (receipt) {
    return (
      <Result
        status="success"
        title={t('public.received')}
        data-testid="objection-receipt"
        subTitle={
          <>
            <div>
              {t('public.reference')}: <Typography.Text strong copyable data-testid="objection-reference">{receipt.reference}</Typography.Text>
            </div>
            <div>
              {t('public.receivedAt')}: {formatDateTime(receipt.receivedAt, locale)}
            </div>
            <div style={{ marginTop: 8 }}>{receipt.message}</div>
          </>
        }
        extra={onDone ? <Button onClick={onDone}>{t('public.backToBoard')}</Button> : null}
      />
    );
  }

  const rule = (field: keyof ObjectionInput) => ({
    validator: async (_: unknown, value: string | undefined) => {
      const problem = checkObjection({ text: 'x', [field]: value })[field];
      if (problem) throw new Error(t(problem.key, problem.vars));
    },
  });

  return (
    <Form form={form} layout="vertical" name="objection" onFinish={submit} disabled={busy} requiredMark>
      <Typography.Paragraph type="secondary">{t('public.objectionIntro', { name: notice.householdName })}</Typography.Paragraph>
      <Form.Item name="text" label={t('public.text')} required rules={[rule('text')]}>
        <Input.TextArea autoSize={{ minRows: 4, maxRows: 10 }} showCount maxLength={OBJECTION_LIMITS.text} placeholder={t('public.textPlaceholder')} />
      </Form.Item>
      <Form.Item name="name" label={t('public.name')} rules={[rule('name')]} extra={t('public.optional')}>
        <Input maxLength={OBJECTION_LIMITS.name} autoComplete="name" />
      </Form.Item>
      <Form.Item name="contact" label={t('public.contact')} rules={[rule('contact')]} extra={t('public.contactHint')}>
        <Input maxLength={OBJECTION_LIMITS.contact} autoComplete="tel" />
      </Form.Item>
      {/* The honeypot: hidden from people (and screen readers), never focused by Tab. */}
      <div aria-hidden="true" style={{ position: 'absolute', left: -10000, top: 'auto', width: 1, height: 1, overflow: 'hidden' }}>
        <label>
          website
          <input name="website" tabIndex={-1} autoComplete="off" value={website} onChange={(e) => setWebsite(e.target.value)} data-testid="honeypot" />
        </label>
      </div>
      {tokenError ? <ErrorAlert error={tokenError} /> : null}
      {error ? <ObjectionError error={error} /> : null}
      <Button type="primary" htmlType="submit" block loading={busy || (!token && !tokenError)} disabled={!token} data-testid="objection-submit" style={{ marginTop: 12 }}>
        {t('public.submit')}
      </Button>
    </Form>
  );
}

function ObjectionError({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (error instanceof ApiError && error.status === 429) {
    const minutes = Math.max(1, Math.ceil((error.retryAfter ?? 60) / 60));
    return <Alert type="warning" showIcon data-testid="objection-too-many" title={t('public.tooMany')} description={t('public.tryAgainIn', { minutes })} />;
  }
  if (error instanceof ApiError && error.code && TOKEN_CODES.has(error.code)) {
    return <Alert type="warning" showIcon title={t('public.tokenRenewed')} />;
  }
  if (error instanceof ApiError && error.code === 'NOTICE_NOT_FOUND') return <Alert type="error" showIcon title={t('public.noticeGone')} />;
  return <ErrorAlert error={error} />;
}
