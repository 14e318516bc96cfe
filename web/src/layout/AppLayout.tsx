import { BarChartOutlined, FileAddOutlined, BellOutlined, CalendarOutlined, GlobalOutlined, HomeOutlined, InboxOutlined, LogoutOutlined, MailOutlined, SettingOutlined, TeamOutlined, UserOutlined } from '@ant-design/icons';
import { Button, Dropdown, Layout, Menu, Space, Typography } from 'antd';
import { Suspense, type ReactNode } from 'react';
import { Outlet, useLocation, useNavigate } from 'react-router';
import { useAuth, useUser } from '../auth/auth';
import { ErrorBoundary } from '../components/ErrorBoundary';
import { PageLoading } from '../components/PageLoading';
import { useI18n } from '../i18n/i18n';
import { menuFor } from './menu';

const ICONS: Record<string, ReactNode> = {
  '/tasks': <InboxOutlined />,
  '/cases/new': <FileAddOutlined />,
  '/dashboard': <BarChartOutlined />,
  '/households': <HomeOutlined />,
  '/notifications': <BellOutlined />,
  '/admin/users': <TeamOutlined />,
  '/admin/calendar': <CalendarOutlined />,
  '/admin/rules': <SettingOutlined />,
  '/admin/emails': <MailOutlined />,
};

/** The back-office frame: the menu of the user's roles, the user, the language, logout. */
export function AppLayout() {
  const { t, tx, locale, setLocale } = useI18n();
  const { logout } = useAuth();
  const user = useUser();
  const navigate = useNavigate();
  const location = useLocation();
  const entries = menuFor(user.roles);
  const selected = entries.find((entry) => location.pathname.startsWith(entry.path))?.path;

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header style={{ display: 'flex', alignItems: 'center', gap: 16, paddingInline: 24 }}>
        <Typography.Title level={4} style={{ color: '#fff', margin: 0, whiteSpace: 'nowrap' }}>
          {t('app.title')}
        </Typography.Title>
        <div style={{ flex: 1 }} />
        <Button
          type="text"
          icon={<GlobalOutlined />}
          style={{ color: '#fff' }}
          onClick={() => setLocale(locale === 'zh-CN' ? 'en-US' : 'zh-CN')}
          title={t('layout.switchLanguage')}
        >
          {locale === 'zh-CN' ? 'English' : '中文'}
        </Button>
        <Dropdown
          menu={{
            items: [
              { key: 'who', disabled: true, label: `${user.username} · ${user.roles.map((role) => tx(`role.${role}`)).join('、')}` },
              { type: 'divider' },
              { key: 'logout', icon: <LogoutOutlined />, label: t('layout.logout'), onClick: () => { logout(); navigate('/login'); } },
            ],
          }}
        >
          <Button type="text" style={{ color: '#fff' }} data-testid="user-menu">
            <Space>
              <UserOutlined />
              {user.displayName}
            </Space>
          </Button>
        </Dropdown>
      </Layout.Header>
      <Layout>
        <Layout.Sider width={200} theme="light" breakpoint="lg" collapsedWidth={0}>
          <Menu
            mode="inline"
            selectedKeys={selected ? [selected] : []}
            style={{ height: '100%', borderInlineEnd: 0 }}
            items={entries.map((entry) => ({ key: entry.path, icon: ICONS[entry.path], label: t(entry.label), onClick: () => navigate(entry.path) }))}
          />
        </Layout.Sider>
        <Layout.Content style={{ padding: 24, minWidth: 0 }}>
          <ErrorBoundary key={location.pathname}>
            <Suspense fallback={<PageLoading />}>
              <Outlet />
            </Suspense>
          </ErrorBoundary>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
