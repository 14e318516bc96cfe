import { PlusOutlined } from '@ant-design/icons';
import { Button, Card, Form, Input, Modal, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import type { AdminWorkflowSummary } from '../../api/definition-types';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useLoad } from '../../components/hooks';
import { useI18n } from '../../i18n/i18n';
import { VersionStatusTag } from './VersionStatusTag';

const KEY = /^[a-z][a-z0-9-]{1,63}$/;

/** `/admin/definitions`: every workflow with its versions, their status and cases, and its draft. */
export default function DefinitionsPage() {
  const { t, label } = useI18n();
  const navigate = useNavigate();
  const workflows = useLoad((api) => api.adminWorkflows(), []);
  const [creating, setCreating] = useState(false);
  const [form] = Form.useForm<{ key: string }>();

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }} data-testid="definitions-page">
      <Space style={{ justifyContent: 'space-between', width: '100%' }}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t('defs.title')}
        </Typography.Title>
        <Button icon={<PlusOutlined />} onClick={() => setCreating(true)}>
          {t('defs.newWorkflow')}
        </Button>
      </Space>
      {workflows.error ? <ErrorAlert error={workflows.error} /> : null}
      <Card size="small">
        <Table<AdminWorkflowSummary>
          rowKey="key"
          loading={workflows.loading}
          dataSource={workflows.data ?? []}
          pagination={false}
          locale={{ emptyText: t('defs.noWorkflows') }}
          columns={[
            {
              title: t('defs.workflow'),
              key: 'label',
              render: (_, w) => (
                <Link to={`/admin/definitions/${w.key}`} data-testid={`workflow-${w.key}`}>
                  {label({ label: w.label, labelEn: w.labelEn })}
                </Link>
              ),
            },
            { title: t('defs.key'), dataIndex: 'key', render: (key: string) => <Typography.Text code>{key}</Typography.Text> },
            {
              title: t('defs.versions'),
              key: 'versions',
              render: (_, w) => (
                <Space wrap size={4}>
                  {w.versions.map((v) => (
                    <Link key={v.version} to={`/admin/definitions/${w.key}/versions/${v.version}`}>
                      <Space size={2}>
                        v{v.version}
                        <VersionStatusTag status={v.status} />
                        <Typography.Text type="secondary">{t('defs.casesShort', { running: v.running, total: v.cases })}</Typography.Text>
                      </Space>
                    </Link>
                  ))}
                </Space>
              ),
            },
            {
              title: t('defs.draft'),
              key: 'draft',
              render: (_, w) =>
                w.draft ? (
                  <Link to={`/admin/definitions/${w.key}?tab=draft`}>
                    <Tag color={w.draft.status === 'validated' ? 'green' : 'blue'}>{t(w.draft.status === 'validated' ? 'defs.status.validated' : 'defs.status.draft')}</Tag>
                  </Link>
                ) : (
                  '—'
                ),
            },
            {
              title: t('defs.newCases'),
              key: 'accepts',
              render: (_, w) => (w.acceptsNewCases ? <Tag color="green">{t('defs.acceptsNewCases')}</Tag> : <Tag>{t('defs.noNewCases')}</Tag>),
            },
          ]}
        />
      </Card>
      <Modal
        open={creating}
        title={t('defs.newWorkflow')}
        onCancel={() => setCreating(false)}
        onOk={() => void form.validateFields().then(({ key }) => navigate(`/admin/definitions/${key}?tab=draft`))}
        okText={t('common.ok')}
        cancelText={t('common.cancel')}
      >
        <Form form={form} layout="vertical">
          <Form.Item name="key" label={t('defs.key')} extra={t('defs.keyHint')} rules={[{ required: true, pattern: KEY, message: t('defs.keyHint') }]}>
            <Input placeholder="relief-grant" />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}
