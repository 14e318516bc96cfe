import { App as AntApp, ConfigProvider } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { lazy, Suspense, useEffect } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import { AuthProvider, useAuth } from './auth/auth';
import { ErrorBoundary } from './components/ErrorBoundary';
import { PageLoading } from './components/PageLoading';
import { I18nProvider, useI18n } from './i18n/i18n';
import { AppLayout } from './layout/AppLayout';
import { homeFor } from './layout/menu';
import { LoginPage } from './pages/LoginPage';

// Pages load when first opened: the login page does not carry the inbox, the case page its forms.
const InboxPage = lazy(() => import('./pages/inbox/InboxPage'));
const CasePage = lazy(() => import('./pages/case/CasePage'));
const NewCasePage = lazy(() => import('./pages/case/NewCasePage'));
const NotificationsPage = lazy(() => import('./pages/NotificationsPage'));
const NotFoundPage = lazy(() => import('./pages/NotFoundPage'));
const PublicBoardPage = lazy(() => import('./pages/public/PublicBoardPage'));
const DashboardPage = lazy(() => import('./pages/dashboard/DashboardPage'));
const HouseholdsPage = lazy(() => import('./pages/households/HouseholdsPage'));
const HouseholdFilePage = lazy(() => import('./pages/households/HouseholdFilePage'));
const UsersPage = lazy(() => import('./pages/admin/UsersPage'));
const CalendarPage = lazy(() => import('./pages/admin/CalendarPage'));
const RulesPage = lazy(() => import('./pages/admin/RulesPage'));
const FailedEmailsPage = lazy(() => import('./pages/admin/FailedEmailsPage'));
const DefinitionsPage = lazy(() => import('./pages/definitions/DefinitionsPage'));
const WorkflowPage = lazy(() => import('./pages/definitions/WorkflowPage'));
const VersionPage = lazy(() => import('./pages/definitions/VersionPage'));

function RequireAuth() {
  const { user } = useAuth();
  const location = useLocation();
  if (user === undefined) return <PageLoading />;
  if (user === null) return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  return <AppLayout />;
}

function Home() {
  const { user } = useAuth();
  return <Navigate to={user ? homeFor(user.roles) : '/login'} replace />;
}

function Localized() {
  const { locale } = useI18n();
  useEffect(() => {
    dayjs.locale(locale === 'zh-CN' ? 'zh-cn' : 'en');
    document.documentElement.lang = locale;
  }, [locale]);
  return (
    <ConfigProvider locale={locale === 'zh-CN' ? zhCN : enUS} theme={{ token: { colorPrimary: '#b71c1c', borderRadius: 4 } }}>
      <AntApp>
        <ErrorBoundary>
          <AuthProvider>
            <BrowserRouter>
              <Suspense fallback={<PageLoading />}>
                <Routes>
                  <Route path="/login" element={<LoginPage />} />
                  <Route path="/public" element={<PublicBoardPage />} />
                  <Route element={<RequireAuth />}>
                    <Route index element={<Home />} />
                    <Route path="/tasks" element={<InboxPage />} />
                    <Route path="/cases/new" element={<NewCasePage />} />
                    <Route path="/cases/:id" element={<CasePage />} />
                    <Route path="/notifications" element={<NotificationsPage />} />
                    <Route path="/dashboard" element={<DashboardPage />} />
                    <Route path="/households" element={<HouseholdsPage />} />
                    <Route path="/households/:id" element={<HouseholdFilePage />} />
                    <Route path="/admin/users" element={<UsersPage />} />
                    <Route path="/admin/calendar" element={<CalendarPage />} />
                    <Route path="/admin/rules" element={<RulesPage />} />
                    <Route path="/admin/emails" element={<FailedEmailsPage />} />
                    <Route path="/admin/definitions" element={<DefinitionsPage />} />
                    <Route path="/admin/definitions/:key" element={<WorkflowPage />} />
                    <Route path="/admin/definitions/:key/versions/:version" element={<VersionPage />} />
                    <Route path="*" element={<NotFoundPage />} />
                  </Route>
                </Routes>
              </Suspense>
            </BrowserRouter>
          </AuthProvider>
        </ErrorBoundary>
      </AntApp>
    </ConfigProvider>
  );
}

export function App() {
  return (
    <I18nProvider>
      <Localized />
    </I18nProvider>
  );
}
