import { Card, Empty, Input, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import type { HouseholdListItem, HouseholdQuery, RegisterStatus } from '../../api/types';
import { useUser } from '../../auth/auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useLoad } from '../../components/hooks';
import { useI18n } from '../../i18n/i18n';

export const REGISTER_STATUSES: readonly RegisterStatus[] = ['none', 'registered', 'exited', 'reentered'];
export const STATUS_COLORS: Record<RegisterStatus, string> = { none: 'default', registered: 'red', exited: 'green', reentered: 'orange' };
const PAGE_SIZE = 50;

/** The household files (一户一档) of the user's jurisdiction: filters, search by head's name, paged. */
export default function HouseholdsPage() {
  const { t, tx } = useI18n();
  const user = useUser();
  const navigate = useNavigate();
  const [query, setQuery] = useState<HouseholdQuery>({});
  const [page, setPage] = useState(1);
  const list = useLoad((api) => api.households({ ...query, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }), [query, page]);
  const children = useLoad((api) => api.jurisdictionChildren(user.jurisdictionCode), [user.jurisdictionCode]);
  const change = (patch: Partial<HouseholdQuery>) => {
    setQuery((q) => ({ ...q, ...patch }));
    setPage(1);
  };
  const yesNo = [
    { value: 'true', label: t('common.yes') },
    { value: 'false', label: t('common.no') },
  ];
  const bool = (value: string | undefined) => (value === undefined ? undefined : value === 'true');

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t('households.title')}
      </Typography.Title>
      <Card size="small">
        <Space wrap>
          <Input.Search
            allowClear
            placeholder={t('households.searchName')}
            aria-label={t('households.searchName')}
            onSearch={(value) => change({ name: value.trim() || undefined })}
            style={{ width: 220 }}
          />
          <Select
            allowClear
            placeholder={t('households.division')}
            aria-label={t('households.division')}
            style={{ width: 200 }}
            loading={children.loading}
            options={(children.data?.children ?? []).map((c) => ({ value: c.code, label: c.name }))}
            onChange={(value: string | undefined) => change({ jurisdiction: value })}
          />
          <Select
            allowClear
            placeholder={t('households.status')}
            aria-label={t('households.status')}
            style={{ width: 140 }}
            options={REGISTER_STATUSES.map((s) => ({ value: s, label: tx(`registerStatus.${s}`) }))}
            onChange={(value: RegisterStatus | undefined) => change({ status: value })}
            data-testid="households-status"
          />
          <Select allowClear placeholder={t('households.rural')} aria-label={t('households.rural')} style={{ width: 120 }} options={yesNo} onChange={(v?: string) => change({ rural: bool(v) })} />
          <Select allowClear placeholder={t('households.dibao')} aria-label={t('households.dibao')} style={{ width: 120 }} options={yesNo} onChange={(v?: string) => change({ dibao: bool(v) })} />
        </Space>
      </Card>
      {list.error ? <ErrorAlert error={list.error} /> : null}
      <Table<HouseholdListItem>
        rowKey="id"
        size="small"
        data-testid="households-table"
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        onRow={(row) => ({ onDoubleClick: () => navigate(`/households/${row.id}`) })}
        locale={{ emptyText: <Empty description={query.name || query.status || query.jurisdiction ? t('households.emptyFiltered') : t('households.empty')} /> }}
        pagination={{ current: page, pageSize: PAGE_SIZE, total: list.data?.total ?? 0, showSizeChanger: false, onChange: setPage, showTotal: (total) => t('households.total', { total }) }}
        columns={[
          { title: t('households.head'), dataIndex: 'headName', render: (name: string, row) => <Link to={`/households/${row.id}`}>{name}</Link> },
          { title: t('households.village'), dataIndex: 'villageName' },
          { title: t('households.members'), dataIndex: 'memberCount', align: 'right' },
          { title: t('households.rural'), dataIndex: 'rural', render: (v: boolean) => (v ? t('households.ruralYes') : t('households.urban')) },
          { title: t('households.dibao'), dataIndex: 'dibao', render: (v: boolean) => (v ? t('common.yes') : t('common.no')) },
          { title: t('households.status'), dataIndex: 'registerStatus', render: (s: RegisterStatus) => <Tag color={STATUS_COLORS[s]}>{tx(`registerStatus.${s}`)}</Tag> },
          { title: t('households.registeredOn'), dataIndex: 'registeredOn', render: (v: string | null) => v ?? '—' },
        ]}
      />
    </Space>
  );
}
