import { Alert, Breadcrumb, Card, Col, Empty, Progress, Row, Select, Skeleton, Space, Table, Tag, Typography } from 'antd';
import { lazy, Suspense, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { useUser } from '../../auth/auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useLoad } from '../../components/hooks';
import { useI18n } from '../../i18n/i18n';
import { complete, escalationRows, monthToDate, overdueRows, overdueTasksIn, planRows, type OverdueRow, type PlanRow } from './dashboard-data';
import { OverdueCases } from './OverdueCases';

// ECharts is the heaviest library of the app: it loads with this page's chart only.
const OverdueChart = lazy(() => import('./OverdueChart'));

const FIRST_PLAN_YEAR = 2016;

/**
 * The supervisor's dashboard for their jurisdiction: overdue tasks per county and town
 * (chart and table, drilling down to the cases), the 2:3:5 plan per county against its
 * target, the daily digest as the 08:00 mail would read now, the escalations of the month and
 * the open accountability interviews.
 */
export default function DashboardPage() {
  const { t } = useI18n();
  const user = useUser();
  const supervisor = user.roles.includes('supervisor');
  const mayReadCircular = supervisor || user.roles.includes('administrator');
  const thisYear = Number(monthToDate(new Date()).to.slice(0, 4));
  const [year, setYear] = useState(thisYear);

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t('dashboard.title')}
      </Typography.Title>
      {supervisor ? <OverdueSection /> : <Alert type="info" showIcon title={t('dashboard.overdueSupervisorsOnly')} />}
      {supervisor ? <DigestSection /> : null}
      <PlanSection year={year} years={range(FIRST_PLAN_YEAR, Math.max(thisYear, 2018))} onYear={setYear} />
      <Row gutter={[16, 16]}>
        {mayReadCircular ? (
          <Col xs={24} xl={12}>
            <EscalationSection />
          </Col>
        ) : null}
        <Col xs={24} xl={mayReadCircular ? 12 : 24}>
          <InterviewSection />
        </Col>
      </Row>
    </Space>
  );
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => to - i);
}

function OverdueSection() {
  const { t } = useI18n();
  const report = useLoad((api) => api.overdue(1000), []);
  const [county, setCounty] = useState<string | undefined>();
  const [town, setTown] = useState<string | undefined>();
  const rows = useMemo(() => (report.data ? overdueRows(report.data, county) : []), [report.data, county]);
  const name = (code: string | undefined) => (code ? (report.data?.summary.byCounty.concat(report.data.summary.byTown).find((r) => r.code === code)?.name ?? code) : '');
  const pick = (code: string) => (county ? setTown(code) : setCounty(code));

  return (
    <Card
      title={t('dashboard.overdueTitle')}
      extra={report.data ? <Typography.Text data-testid="overdue-total">{t('dashboard.overdueTotal', { count: report.data.total })}</Typography.Text> : null}
      data-testid="overdue-section"
    >
      {report.error ? <ErrorAlert error={report.error} /> : null}
      {!report.data ? (
        report.error ? null : <Skeleton active />
      ) : (
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Breadcrumb
            items={[
              { title: <a onClick={() => { setCounty(undefined); setTown(undefined); }}>{t('dashboard.allCounties')}</a> },
              ...(county ? [{ title: <a onClick={() => setTown(undefined)}>{name(county)}</a> }] : []),
              ...(town ? [{ title: name(town) }] : []),
            ]}
          />
          {town ? (
            <OverdueCases tasks={overdueTasksIn(report.data, town)} partial={!complete(report.data)} />
          ) : rows.length === 0 ? (
            <Empty description={county ? t('dashboard.noOverdueHere') : t('dashboard.noOverdue')} />
          ) : (
            <Row gutter={16}>
              <Col xs={24} lg={12}>
                <Suspense fallback={<Skeleton active />}>
                  <OverdueChart rows={rows} seriesName={t('dashboard.overdueTasks')} onPick={pick} />
                </Suspense>
              </Col>
              <Col xs={24} lg={12}>
                <Table<OverdueRow>
                  size="small"
                  rowKey="code"
                  data-testid="overdue-table"
                  pagination={false}
                  dataSource={rows}
                  onRow={(row) => ({ onClick: () => pick(row.code), style: { cursor: 'pointer' } })}
                  columns={[
                    { title: county ? t('dashboard.town') : t('dashboard.county'), dataIndex: 'name', render: (value: string) => <a>{value}</a> },
                    { title: t('dashboard.overdueTasks'), dataIndex: 'count', align: 'right' },
                  ]}
                />
                <Typography.Text type="secondary">{county ? t('dashboard.drillTownHint') : t('dashboard.drillCountyHint')}</Typography.Text>
              </Col>
            </Row>
          )}
        </Space>
      )}
    </Card>
  );
}

/** The 08:00 digest's text exactly as the server builds the mail (one line per overdue task). */
function DigestSection() {
  const { t } = useI18n();
  const digest = useLoad((api) => api.digest(), []);
  return (
    <Card title={t('dashboard.digestTitle')} extra={digest.data ? <Typography.Text type="secondary">{digest.data.date}</Typography.Text> : null} data-testid="digest-section">
      {digest.error ? <ErrorAlert error={digest.error} /> : null}
      {!digest.data && !digest.error ? <Skeleton active /> : null}
      {digest.data ? (
        digest.data.title === null || digest.data.body === null ? (
          <Empty description={t('dashboard.digestEmpty')} />
        ) : (
          <Space orientation="vertical" style={{ width: '100%' }}>
            <Typography.Text type="secondary">{t('dashboard.digestHint')}</Typography.Text>
            <Typography.Text strong data-testid="digest-title">
              {digest.data.title}
            </Typography.Text>
            <Typography.Paragraph data-testid="digest-body" style={{ whiteSpace: 'pre-line', marginBottom: 0, maxHeight: 320, overflowY: 'auto' }}>
              {digest.data.body}
            </Typography.Paragraph>
          </Space>
        )
      ) : null}
    </Card>
  );
}

function PlanSection({ year, years, onYear }: { year: number; years: number[]; onYear(year: number): void }) {
  const { t } = useI18n();
  const progress = useLoad((api) => api.planProgress(year), [year]);
  const rows = progress.data ? planRows(progress.data) : [];
  return (
    <Card
      title={t('dashboard.planTitle')}
      extra={
        <Select aria-label={t('dashboard.year')} value={year} onChange={onYear} options={years.map((y) => ({ value: y, label: t('dashboard.yearOption', { year: y }) }))} style={{ width: 120 }} data-testid="plan-year" />
      }
    >
      {progress.error ? <ErrorAlert error={progress.error} /> : null}
      {!progress.data && !progress.error ? <Skeleton active /> : null}
      {progress.data ? (
        <Table<PlanRow>
          size="small"
          rowKey="code"
          data-testid="plan-table"
          loading={progress.loading}
          pagination={false}
          dataSource={rows}
          locale={{ emptyText: <Empty description={t('dashboard.noPlan')} /> }}
          columns={[
            { title: t('dashboard.county'), dataIndex: 'name' },
            { title: t('dashboard.target'), dataIndex: 'target', align: 'right', render: (v: number | null) => v ?? '—' },
            { title: t('dashboard.exited'), dataIndex: 'exitedPeople', align: 'right' },
            { title: t('dashboard.expectedByNow'), dataIndex: 'expectedByNow', align: 'right', render: (v: number | null) => v ?? '—' },
            {
              title: t('dashboard.percentage'),
              dataIndex: 'percentage',
              width: 180,
              render: (v: number | null, row) => (v === null ? '—' : <Progress percent={Math.min(100, v)} format={() => `${v}%`} size="small" status={row.behind ? 'exception' : 'normal'} />),
            },
            { title: t('dashboard.standing'), dataIndex: 'behind', render: (v: boolean | null) => (v === null ? '—' : v ? <Tag color="red">{t('dashboard.behind')}</Tag> : <Tag color="green">{t('dashboard.onTrack')}</Tag>) },
            { title: t('dashboard.pipeline'), dataIndex: 'pipelinePeople', align: 'right' },
          ]}
        />
      ) : null}
    </Card>
  );
}

function EscalationSection() {
  const { t } = useI18n();
  const period = monthToDate(new Date());
  const report = useLoad((api) => api.circular(period.from, period.to), []);
  const rows = report.data ? escalationRows(report.data) : [];
  return (
    <Card title={t('dashboard.escalationsTitle', { from: period.from, to: period.to })}>
      {report.error ? <ErrorAlert error={report.error} /> : null}
      {!report.data && !report.error ? <Skeleton active /> : null}
      {report.data ? (
        <Table
          size="small"
          rowKey="code"
          data-testid="escalations-table"
          pagination={false}
          dataSource={rows}
          locale={{ emptyText: <Empty description={t('dashboard.noEscalations')} /> }}
          columns={[
            { title: t('dashboard.unit'), dataIndex: 'name' },
            { title: t('dashboard.escalations'), dataIndex: 'escalations', align: 'right' },
            { title: t('dashboard.stillOpen'), dataIndex: 'stillOpen', align: 'right' },
          ]}
        />
      ) : null}
    </Card>
  );
}

/** Open accountability interviews (约谈): the tasks of that workflow the user can see in the inbox. */
function InterviewSection() {
  const { t } = useI18n();
  const tasks = useLoad((api) => api.inbox({ workflow: 'accountability-interview', limit: 50 }), []);
  return (
    <Card title={t('dashboard.interviewsTitle')}>
      {tasks.error ? <ErrorAlert error={tasks.error} /> : null}
      {!tasks.data && !tasks.error ? <Skeleton active /> : null}
      {tasks.data ? (
        <Table
          size="small"
          rowKey="taskId"
          data-testid="interviews-table"
          pagination={false}
          dataSource={tasks.data.items}
          locale={{ emptyText: <Empty description={t('dashboard.noInterviews')} /> }}
          columns={[
            { title: t('dashboard.subject'), dataIndex: 'title', render: (title: string | null, item) => <Link to={`/cases/${item.caseId}`}>{title ?? item.caseId.slice(0, 8)}</Link> },
            { title: t('dashboard.step'), render: (_, item) => item.step.label ?? item.step.key },
            { title: t('dashboard.state'), render: (_, item) => (item.overdue ? <Tag color="red">{t('dashboard.overdue')}</Tag> : <Tag>{t('dashboard.open')}</Tag>) },
          ]}
        />
      ) : null}
    </Card>
  );
}
