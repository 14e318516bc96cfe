import { DownloadOutlined } from '@ant-design/icons';
import { App, Breadcrumb, Button, Card, Empty, List, Popconfirm, Select, Space, Table, Tabs, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import type { DefinitionChange, DefinitionDiff, SourceFormat, VersionSummary } from '../../api/definition-types';
import { useAuth } from '../../auth/auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatDateTime } from '../../components/format';
import { useLoad } from '../../components/hooks';
import { useI18n } from '../../i18n/i18n';
import { downloadText, MIME } from './download';
import { DraftPanel } from './DraftPanel';
import { MigrationPanel } from './MigrationPanel';
import { VersionStatusTag } from './VersionStatusTag';
import { WhatIfPanel } from './WhatIfPanel';

const TABS = ['versions', 'draft', 'whatIf', 'migration'] as const;

/** One workflow: its versions (deprecate or restore, export, diff), its draft, what-if on the draft, migrating cases. */
export default function WorkflowPage() {
  const { key = '' } = useParams();
  const { t, label } = useI18n();
  const [search, setSearch] = useSearchParams();
  const workflows = useLoad((api) => api.adminWorkflows(), []);
  const workflow = workflows.data?.find((w) => w.key === key);
  const tab = (TABS as readonly string[]).includes(search.get('tab') ?? '') ? (search.get('tab') as (typeof TABS)[number]) : 'versions';
  const versions = workflow?.versions ?? [];

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }} data-testid="workflow-page">
      <Breadcrumb items={[{ title: <Link to="/admin/definitions">{t('defs.title')}</Link> }, { title: key }]} />
      <Typography.Title level={3} style={{ margin: 0 }}>
        {workflow ? label({ label: workflow.label, labelEn: workflow.labelEn }) : key} <Typography.Text code>{key}</Typography.Text>
      </Typography.Title>
      {workflows.error ? <ErrorAlert error={workflows.error} /> : null}
      <Tabs
        activeKey={tab}
        onChange={(next) => setSearch(next === 'versions' ? {} : { tab: next }, { replace: true })}
        items={[
          { key: 'versions', label: t('defs.tab.versions'), children: <VersionsTab workflowKey={key} versions={versions} loading={workflows.loading} reload={() => void workflows.reload()} /> },
          { key: 'draft', label: t('defs.tab.draft'), children: <DraftPanel workflowKey={key} latestVersion={workflow?.latestVersion ?? null} onChanged={() => void workflows.reload()} /> },
          { key: 'whatIf', label: t('defs.tab.whatIf'), children: <WhatIfPanel workflowKey={key} /> },
          { key: 'migration', label: t('defs.tab.migration'), children: <MigrationPanel workflowKey={key} versions={versions} onMigrated={() => void workflows.reload()} /> },
        ]}
      />
    </Space>
  );
}

function VersionsTab({ workflowKey, versions, loading, reload }: { workflowKey: string; versions: VersionSummary[]; loading: boolean; reload(): void }) {
  const { t, locale } = useI18n();
  const { api } = useAuth();
  const { message } = App.useApp();
  const [error, setError] = useState<unknown>(null);
  const [exporting, setExporting] = useState<string | null>(null);

  async function exportAs(format: SourceFormat, version: number) {
    setExporting(`${format}${version}`);
    setError(null);
    try {
      const text = await api.exportDefinition(workflowKey, format, version);
      downloadText(`${workflowKey}-v${version}.${format}`, text, MIME[format]);
    } catch (e) {
      setError(e);
    } finally {
      setExporting(null);
    }
  }

  /** Deprecates a version, or restores a deprecated one. */
  async function setStatus(version: number, to: 'deprecated' | 'published') {
    setError(null);
    try {
      if (to === 'deprecated') await api.deprecateVersion(workflowKey, version);
      else await api.restoreVersion(workflowKey, version);
      message.success(t(to === 'deprecated' ? 'defs.deprecated' : 'defs.restored', { version }));
      reload();
    } catch (e) {
      setError(e);
    }
  }

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      {error ? <ErrorAlert error={error} onClose={() => setError(null)} /> : null}
      <Card size="small" title={t('defs.tab.versions')}>
        <Table<VersionSummary>
          rowKey="version"
          size="small"
          loading={loading}
          dataSource={[...versions].reverse()}
          pagination={false}
          locale={{ emptyText: t('defs.noVersions') }}
          data-testid="versions-table"
          columns={[
            { title: t('defs.version'), dataIndex: 'version', render: (v: number) => <Link to={`/admin/definitions/${workflowKey}/versions/${v}`}>v{v}</Link> },
            { title: t('defs.status'), dataIndex: 'status', render: (s: string) => <VersionStatusTag status={s} /> },
            { title: t('defs.publishedAt'), dataIndex: 'publishedAt', render: (at: string) => formatDateTime(at, locale) },
            { title: t('defs.running'), dataIndex: 'running' },
            { title: t('defs.total'), dataIndex: 'cases' },
            {
              title: t('defs.export'),
              key: 'export',
              render: (_, v) => (
                <Space size={4}>
                  {(['yaml', 'json', 'bpmn'] as const).map((format) => (
                    <Button key={format} size="small" icon={<DownloadOutlined />} loading={exporting === `${format}${v.version}`} onClick={() => void exportAs(format, v.version)}>
                      {format.toUpperCase()}
                    </Button>
                  ))}
                </Space>
              ),
            },
            {
              title: '',
              key: 'deprecate',
              render: (_, v) =>
                v.status === 'published' ? (
                  <Popconfirm
                    title={t('defs.deprecateConfirm', { version: v.version })}
                    description={t('defs.deprecateHint', { running: v.running })}
                    okText={t('defs.deprecate')}
                    cancelText={t('common.cancel')}
                    onConfirm={() => setStatus(v.version, 'deprecated')}
                  >
                    <Button size="small" danger>
                      {t('defs.deprecate')}
                    </Button>
                  </Popconfirm>
                ) : (
                  <Popconfirm
                    title={t('defs.restoreConfirm', { version: v.version })}
                    description={t('defs.restoreHint')}
                    okText={t('defs.restore')}
                    cancelText={t('common.cancel')}
                    onConfirm={() => setStatus(v.version, 'published')}
                  >
                    <Button size="small" data-testid={`restore-${v.version}`}>
                      {t('defs.restore')}
                    </Button>
                  </Popconfirm>
                ),
            },
          ]}
        />
      </Card>
      <DiffCard workflowKey={workflowKey} versions={versions.map((v) => v.version)} />
    </Space>
  );
}

/** The order the diff's groups are shown in. */
const CHANGE_KINDS = ['added', 'removed', 'changed'] as const;

/** The diff of two versions in the API's words, grouped: added, removed, changed. */
function DiffCard({ workflowKey, versions }: { workflowKey: string; versions: number[] }) {
  const { t } = useI18n();
  const { api } = useAuth();
  const [from, setFrom] = useState<number | undefined>(versions.length > 1 ? versions.at(-2) : undefined);
  const [to, setTo] = useState<number | undefined>(versions.length > 1 ? versions.at(-1) : undefined);
  const [diff, setDiff] = useState<DefinitionDiff | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const options = versions.map((v) => ({ value: v, label: `v${v}` }));

  async function compare() {
    if (from === undefined || to === undefined) return;
    setLoading(true);
    setError(null);
    try {
      setDiff(await api.definitionDiff(workflowKey, from, to));
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  }

  const groups = CHANGE_KINDS.map((kind) => ({ kind, changes: (diff?.changes ?? []).filter((c: DefinitionChange) => c.change === kind) })).filter((g) => g.changes.length > 0);
  return (
    <Card size="small" title={t('defs.diff')}>
      <Space wrap style={{ marginBottom: 12 }}>
        <Select aria-label={t('defs.diffFrom')} style={{ width: 100 }} value={from} options={options} onChange={setFrom} placeholder={t('defs.diffFrom')} />
        →
        <Select aria-label={t('defs.diffTo')} style={{ width: 100 }} value={to} options={options} onChange={setTo} placeholder={t('defs.diffTo')} />
        <Button onClick={() => void compare()} loading={loading} disabled={from === undefined || to === undefined || from === to} data-testid="diff-compare">
          {t('defs.compare')}
        </Button>
      </Space>
      {error ? <ErrorAlert error={error} /> : null}
      {diff && diff.changes.length === 0 ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('defs.noChanges')} /> : null}
      {groups.map((group) => (
        <div key={group.kind} data-testid={`diff-${group.kind}`}>
          <Typography.Title level={5}>
            <Tag color={group.kind === 'added' ? 'green' : group.kind === 'removed' ? 'red' : 'blue'}>{t(`defs.change.${group.kind}`)}</Tag> {group.changes.length}
          </Typography.Title>
          <List
            size="small"
            dataSource={group.changes}
            renderItem={(change, i) => (
              <List.Item key={i}>
                <Space orientation="vertical" size={0}>
                  <span>{change.text}</span>
                  <Typography.Text type="secondary" code>
                    {change.path}
                  </Typography.Text>
                </Space>
              </List.Item>
            )}
          />
        </div>
      ))}
    </Card>
  );
}
