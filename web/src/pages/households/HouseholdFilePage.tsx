import { CheckCircleTwoTone, CloseCircleTwoTone } from '@ant-design/icons';
import { Card, Descriptions, Empty, List, Result, Select, Skeleton, Space, Table, Tabs, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError } from '../../api/client';
import type { DecisionLine, HouseholdFile, HouseholdMember } from '../../api/types';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatDateTime } from '../../components/format';
import { useLoad } from '../../components/hooks';
import { useI18n } from '../../i18n/i18n';
import { AttachmentTable, AttachmentUpload } from './AttachmentParts';
import { STATUS_COLORS } from './HouseholdsPage';
import { StartFromFile } from './StartFromFile';


/**
 * A household file (一户一档): members with masked IDs, incomes and the per-capita income per
 * year, the 两不愁三保障 checklist, the support plan, visits, attachments, versions, the
 * eligibility explanation line by line, its cases, and the procedures the file starts.
 */
export default function HouseholdFilePage() {
  const { id = '' } = useParams();
  const { t, tx } = useI18n();
  const file = useLoad((api) => api.household(id), [id]);

  if (file.error && !file.data) {
    return <Result status={file.error instanceof ApiError && file.error.status === 404 ? '404' : 'error'} title={<ErrorAlert error={file.error} />} extra={<Link to="/households">{t('households.backToList')}</Link>} />;
  }
  if (!file.data) return <Skeleton active />;
  const household = file.data;

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Space wrap align="center">
        <Typography.Title level={3} style={{ margin: 0 }} data-testid="household-head">
          {household.headName}
        </Typography.Title>
        <Tag color={STATUS_COLORS[household.registerStatus]}>{tx(`registerStatus.${household.registerStatus}`)}</Tag>
        <StartFromFile household={household} />
      </Space>
      <Card size="small">
        <Descriptions size="small" column={{ xs: 1, md: 2, xl: 3 }}>
          <Descriptions.Item label={t('households.village')}>
            {[household.county.name, household.town.name, household.village.name].filter(Boolean).join(' ')}
          </Descriptions.Item>
          <Descriptions.Item label={t('households.address')}>{household.address ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('households.rural')}>{household.rural ? t('households.ruralYes') : t('households.urban')}</Descriptions.Item>
          <Descriptions.Item label={t('households.dibao')}>{household.dibao ? t('common.yes') : t('common.no')}</Descriptions.Item>
          <Descriptions.Item label={t('households.consent')}>{household.consent === null ? '—' : household.consent ? t('common.yes') : t('common.no')}</Descriptions.Item>
          <Descriptions.Item label={t('households.registeredOn')}>{household.registeredOn ?? '—'}</Descriptions.Item>
        </Descriptions>
      </Card>
      <Tabs
        items={[
          { key: 'members', label: t('households.tabMembers'), children: <Members members={household.members} /> },
          { key: 'incomes', label: t('households.tabIncomes'), children: <Incomes household={household} /> },
          { key: 'checklist', label: t('households.tabChecklist'), children: <Checklists household={household} /> },
          { key: 'plan', label: t('households.tabPlan'), children: <Plan household={household} /> },
          { key: 'visits', label: t('households.tabVisits'), children: <Visits household={household} /> },
          { key: 'attachments', label: t('households.tabAttachments'), children: <Attachments household={household} onUploaded={() => void file.reload()} /> },
          { key: 'eligibility', label: t('households.tabEligibility'), children: <Eligibility householdId={household.id} /> },
          { key: 'cases', label: t('households.tabCases'), children: <Cases household={household} /> },
          { key: 'versions', label: t('households.tabVersions'), children: <Versions householdId={household.id} version={household.version} /> },
        ]}
      />
    </Space>
  );
}

function Members({ members }: { members: HouseholdMember[] }) {
  const { t, tx } = useI18n();
  const yes = (v: unknown) => (v ? t('common.yes') : t('common.no'));
  return (
    <Table<HouseholdMember>
      size="small"
      rowKey="id"
      pagination={false}
      dataSource={members}
      data-testid="members-table"
      scroll={{ x: true }}
      columns={[
        { title: t('households.memberName'), dataIndex: 'name' },
        { title: t('households.relation'), dataIndex: 'relation' },
        { title: t('households.residentId'), dataIndex: 'residentId', render: (v: string | null) => <Typography.Text code>{v ?? '—'}</Typography.Text> },
        { title: t('households.age'), dataIndex: 'age', align: 'right' },
        { title: t('households.labour'), dataIndex: 'labourAbility', render: yes },
        { title: t('households.disability'), dataIndex: 'disability', render: yes },
        { title: t('households.schooling'), dataIndex: 'schooling', render: (v: string | null) => (v ? tx(`schooling.${v}`) : '—') },
        { title: t('households.insured'), dataIndex: 'healthInsurance', render: yes },
      ]}
    />
  );
}

function yuan(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : value.toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

function Incomes({ household }: { household: HouseholdFile }) {
  const { t, tx } = useI18n();
  if (household.incomes.length === 0) return <Empty description={t('households.noIncomes')} />;
  return (
    <Table
      size="small"
      rowKey="year"
      pagination={false}
      dataSource={household.incomes}
      data-testid="incomes-table"
      columns={[
        { title: t('households.year'), dataIndex: 'year' },
        ...['wage', 'business', 'property', 'transfer'].map((source) => ({
          title: tx(`incomeSource.${source}`),
          key: source,
          align: 'right' as const,
          render: (_: unknown, row: HouseholdFile['incomes'][number]) => yuan(row.records.filter((r) => r.source === source).reduce((sum, r) => sum + r.amount, 0)),
        })),
        { title: t('households.totalIncome'), dataIndex: 'total', align: 'right', render: yuan },
        { title: t('households.perCapita'), dataIndex: 'perCapita', align: 'right', render: (v: number | null) => <Typography.Text strong>{yuan(v)}</Typography.Text> },
      ]}
    />
  );
}

function Checklists({ household }: { household: HouseholdFile }) {
  const { t, label } = useI18n();
  const rules = useLoad((api) => api.rules(), []);
  if (household.checklists.length === 0) return <Empty description={t('households.noChecklist')} />;
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      {household.checklists.map((checklist) => {
        const items = rules.data?.find((r) => r.year === checklist.year)?.checklist;
        return (
          <Card key={checklist.year} size="small" title={t('households.checklistYear', { year: checklist.year })} extra={checklist.checkedOn}>
            <Space wrap>
              {Object.entries(checklist.items).map(([key, ok]) => (
                <Tag key={key} color={ok ? 'green' : 'red'} icon={ok ? <CheckCircleTwoTone twoToneColor="#52c41a" /> : <CloseCircleTwoTone twoToneColor="#f5222d" />}>
                  {label(items?.find((i) => i.key === key), key)}
                </Tag>
              ))}
            </Space>
          </Card>
        );
      })}
    </Space>
  );
}

function Plan({ household }: { household: HouseholdFile }) {
  const { t, tx } = useI18n();
  const plan = household.plan;
  if (!plan || (plan.measures.length === 0 && !plan.pairedUnit && !plan.summary)) return <Empty description={t('households.noPlan')} />;
  return (
    <Descriptions size="small" column={1} bordered>
      <Descriptions.Item label={t('households.measures')}>
        <Space wrap>{plan.measures.map((m) => <Tag key={m}>{tx(`measure.${m}`)}</Tag>)}</Space>
      </Descriptions.Item>
      <Descriptions.Item label={t('households.pairedUnit')}>{plan.pairedUnit ?? '—'}</Descriptions.Item>
      <Descriptions.Item label={t('households.responsiblePerson')}>{plan.responsiblePerson ?? '—'}</Descriptions.Item>
      <Descriptions.Item label={t('households.volunteers')}>
        {plan.volunteers.length === 0 ? '—' : plan.volunteers.map((v) => v.name + (v.partyMember ? t('households.partyMember') : '')).join('、')}
      </Descriptions.Item>
      <Descriptions.Item label={t('households.planSummary')}>{plan.summary ?? '—'}</Descriptions.Item>
    </Descriptions>
  );
}

function Visits({ household }: { household: HouseholdFile }) {
  const { t } = useI18n();
  return (
    <Table
      size="small"
      rowKey="id"
      pagination={{ pageSize: 10, hideOnSinglePage: true }}
      dataSource={household.visits}
      locale={{ emptyText: <Empty description={t('households.noVisits')} /> }}
      columns={[
        { title: t('households.visitedOn'), dataIndex: 'visitedOn' },
        { title: t('households.visitor'), dataIndex: 'visitorName' },
        { title: t('households.visitorRole'), dataIndex: 'visitorRole', render: (v: string | null) => v ?? '—' },
        { title: t('households.leader'), dataIndex: 'leader', render: (v: boolean) => (v ? <Tag color="blue">{t('households.leaderVisit')}</Tag> : null) },
        { title: t('households.notes'), dataIndex: 'notes' },
      ]}
    />
  );
}

function Attachments({ household, onUploaded }: { household: HouseholdFile; onUploaded(): void }) {
  const { t } = useI18n();
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      {household.access !== 'read' ? <AttachmentUpload householdId={household.id} onUploaded={onUploaded} /> : null}
      <AttachmentTable householdId={household.id} attachments={household.attachments} emptyText={t('households.noAttachments')} />
    </Space>
  );
}

function Eligibility({ householdId }: { householdId: string }) {
  const { t, locale } = useI18n();
  const thisYear = new Date().getFullYear();
  const [year, setYear] = useState(thisYear);
  const report = useLoad((api) => api.eligibility(householdId, year), [householdId, year]);
  const lines = (title: string, decision: { pass: boolean; lines: DecisionLine[] }, testId: string) => (
    <Card size="small" title={title} extra={decision.pass ? <Tag color="green">{t('households.passes')}</Tag> : <Tag color="red">{t('households.fails')}</Tag>} data-testid={testId}>
      <List
        size="small"
        dataSource={decision.lines}
        renderItem={(line) => (
          <List.Item>
            <Space align="start">
              {line.pass ? <CheckCircleTwoTone twoToneColor="#52c41a" /> : <CloseCircleTwoTone twoToneColor="#f5222d" />}
              <span>{locale === 'en-US' ? line.explanationEn : line.explanation}</span>
            </Space>
          </List.Item>
        )}
      />
    </Card>
  );
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Space>
        <Typography.Text>{t('households.year')}</Typography.Text>
        <Select value={year} onChange={setYear} style={{ width: 100 }} aria-label={t('households.year')} options={[thisYear, thisYear - 1, thisYear - 2, 2018, 2017, 2016].filter((y, i, all) => all.indexOf(y) === i).map((y) => ({ value: y, label: String(y) }))} />
      </Space>
      {report.error ? <ErrorAlert error={report.error} /> : null}
      {!report.data ? (
        report.error ? null : <Skeleton active />
      ) : (
        <>
          <Typography.Text>
            {t('households.eligibilitySummary', { members: report.data.memberCount, perCapita: yuan(report.data.perCapitaIncome), rulesYear: report.data.rulesYear })}
          </Typography.Text>
          {lines(t('households.entryDecision'), report.data.entry, 'eligibility-entry')}
          {lines(t('households.exitDecision'), report.data.exit, 'eligibility-exit')}
          {report.data.notes.map((note, i) => (
            <Typography.Paragraph key={i} type="secondary">
              {locale === 'en-US' ? note.noteEn : note.note}
            </Typography.Paragraph>
          ))}
        </>
      )}
    </Space>
  );
}

function Cases({ household }: { household: HouseholdFile }) {
  const { t, tx, locale } = useI18n();
  return (
    <Table
      size="small"
      rowKey="id"
      pagination={false}
      dataSource={household.cases}
      locale={{ emptyText: <Empty description={t('households.noCases')} /> }}
      columns={[
        { title: t('households.caseWorkflow'), dataIndex: 'workflow', render: (w: string, row) => <Link to={`/cases/${row.id}`}>{tx(`workflow.${w}`)}</Link> },
        { title: t('households.caseState'), dataIndex: 'finished', render: (v: boolean) => (v ? <Tag color="green">{t('households.caseFinished')}</Tag> : <Tag color="blue">{t('households.caseOpen')}</Tag>) },
        { title: t('households.caseStarted'), dataIndex: 'createdAt', render: (v: string) => formatDateTime(v, locale) },
      ]}
    />
  );
}

function Versions({ householdId, version }: { householdId: string; version: number }) {
  const { t, locale } = useI18n();
  const versions = useLoad((api) => api.householdVersions(householdId), [householdId, version]);
  const text = (value: unknown) => (value === null || value === undefined ? '—' : typeof value === 'string' ? value : JSON.stringify(value));
  if (versions.error) return <ErrorAlert error={versions.error} />;
  return (
    <Table
      size="small"
      rowKey="version"
      loading={versions.loading}
      dataSource={[...(versions.data ?? [])].reverse()}
      pagination={{ pageSize: 10, hideOnSinglePage: true }}
      columns={[
        { title: t('households.version'), dataIndex: 'version', width: 70 },
        { title: t('households.changedAt'), dataIndex: 'at', render: (v: string) => formatDateTime(v, locale) },
        { title: t('households.changedBy'), dataIndex: 'actorUsername', render: (v: string | null) => v ?? t('households.system') },
        { title: t('households.changeKind'), dataIndex: 'kind' },
        {
          title: t('households.changes'),
          dataIndex: 'changes',
          render: (changes: { path: string; from: unknown; to: unknown }[]) => (
            <Space orientation="vertical" size={0}>
              {changes.slice(0, 8).map((c) => (
                <Typography.Text key={c.path} style={{ fontSize: 12 }}>
                  {c.path}: {text(c.from)} → {text(c.to)}
                </Typography.Text>
              ))}
              {changes.length > 8 ? <Typography.Text type="secondary">{t('households.moreChanges', { count: changes.length - 8 })}</Typography.Text> : null}
            </Space>
          ),
        },
      ]}
    />
  );
}
