import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { Button, Card, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { Link, Navigate, useLocation, useNavigate } from 'react-router';
import { ApiError } from '../api/client';
import { useAuth } from '../auth/auth';
import { ErrorAlert } from '../components/ErrorAlert';
import { useI18n } from '../i18n/i18n';
import { homeFor } from '../layout/menu';

export function LoginPage() {
  const { t, locale, setLocale } = useI18n();
  const { user, login } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const from = (location.state as { from?: string } | null)?.from;

  if (user) return <Navigate to={from ?? homeFor(user.roles)} replace />;

  async function submit(values: { username: string; password: string }) {
    setBusy(true);
    setError(null);
    try {
      await login(values.username.trim(), values.password);
      navigate(from ?? '/', { replace: true });
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  const wrongPassword = error instanceof ApiError && error.status === 401;
  return (
    <div style={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', background: '#f0f2f5', padding: 16 }}>
      <Card style={{ width: 380, maxWidth: '100%' }}>
        <Typography.Title level={3} style={{ textAlign: 'center' }}>
          {t('app.title')}
        </Typography.Title>
        <Typography.Paragraph type="secondary" style={{ textAlign: 'center' }}>
          {t('login.subtitle')}
        </Typography.Paragraph>
        <Form layout="vertical" onFinish={submit} requiredMark={false} name="login">
          <Form.Item label={t('login.username')} name="username" rules={[{ required: true, whitespace: true, message: t('login.usernameRequired') }]}>
            <Input prefix={<UserOutlined />} autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item label={t('login.password')} name="password" rules={[{ required: true, message: t('login.passwordRequired') }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
          </Form.Item>
          {error ? (
            <Form.Item>
              {wrongPassword ? <ErrorAlertText text={t('login.failed')} /> : <ErrorAlert error={error} />}
            </Form.Item>
          ) : null}
          <Button type="primary" htmlType="submit" block loading={busy}>
            {t('login.submit')}
          </Button>
        </Form>
        <div style={{ textAlign: 'center', marginTop: 16 }}>
          <Link to="/public" data-testid="public-board-link">
            {t('login.publicBoard')}
          </Link>
          <Button type="link" size="small" onClick={() => setLocale(locale === 'zh-CN' ? 'en-US' : 'zh-CN')}>
            {locale === 'zh-CN' ? 'English' : '中文'}
          </Button>
        </div>
      </Card>
    </div>
  );
}

function ErrorAlertText({ text }: { text: string }) {
  return (
    <Typography.Text type="danger" role="alert" data-testid="login-error">
      {text}
    </Typography.Text>
  );
}
