import { Button, Empty, Space, Table, Typography } from 'antd';
import type { EmailDelivery } from '../../api/types';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatDateTime } from '../../components/format';
import { useLoad } from '../../components/hooks';
import { useI18n } from '../../i18n/i18n';

/** Outgoing mail that failed for good: listed so that nothing is lost silently. */
export default function FailedEmailsPage() {
  const { t, locale } = useI18n();
  const emails = useLoad((api) => api.failedEmails(), []);
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Space style={{ justifyContent: 'space-between', width: '100%' }}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t('emails.title')}
        </Typography.Title>
        <Button onClick={() => void emails.reload()}>{t('common.refresh')}</Button>
      </Space>
      {emails.error ? <ErrorAlert error={emails.error} /> : null}
      {emails.data ? <Typography.Text>{t('emails.count', { count: emails.data.count })}</Typography.Text> : null}
      <Table<EmailDelivery>
        rowKey="id"
        size="small"
        loading={emails.loading}
        dataSource={emails.data?.items ?? []}
        data-testid="emails-table"
        locale={{ emptyText: <Empty description={t('emails.empty')} /> }}
        columns={[
          { title: t('emails.failedAt'), dataIndex: 'failedAt', render: (v: string | null, row) => formatDateTime(v ?? row.createdAt, locale) },
          { title: t('emails.to'), dataIndex: 'to', render: (to: string, row) => (row.username ? `${row.username} <${to}>` : to) },
          { title: t('emails.subject'), dataIndex: 'subject' },
          { title: t('emails.attempts'), dataIndex: 'attempts', align: 'right' },
          { title: t('emails.lastError'), dataIndex: 'lastError', render: (v: string | null) => <Typography.Text type="danger">{v ?? '—'}</Typography.Text> },
        ]}
      />
    </Space>
  );
}
