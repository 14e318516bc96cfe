import { DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import { App, Button, Empty, Select, Space, Table, Typography, Upload } from 'antd';
import { useState, type ReactNode } from 'react';
import type { HouseholdAttachment } from '../../api/types';
import { useAuth } from '../../auth/auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatDateTime } from '../../components/format';
import { useI18n } from '../../i18n/i18n';

/** What an attachment may be (src/households/dto/household.dto.ts AttachmentUploadDto). */
export const ATTACHMENT_KINDS = ['meeting-minutes', 'notice-photo', 'other'] as const;
/** What the API accepts, read from the bytes; the picker offers only these. */
const ACCEPT = '.pdf,.png,.jpg,.jpeg,.webp,application/pdf,image/png,image/jpeg,image/webp';

/**
 * Kind, file picker and the upload to a household file — of the file itself, or documenting
 * one of its cases (`caseId`). A refusal (413 too large, 415 not an accepted type) shows in
 * words, translated by its code.
 */
export function AttachmentUpload({ householdId, caseId, onUploaded }: { householdId: string; caseId?: string; onUploaded(): void }) {
  const { t, tx } = useI18n();
  const { api } = useAuth();
  const { message } = App.useApp();
  const [kind, setKind] = useState<string>(caseId ? 'meeting-minutes' : 'other');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Space wrap>
        <Select value={kind} onChange={setKind} style={{ width: 160 }} aria-label={t('households.attachmentKind')} options={ATTACHMENT_KINDS.map((k) => ({ value: k, label: tx(`attachmentKind.${k}`) }))} />
        <Upload
          accept={ACCEPT}
          showUploadList={false}
          customRequest={async (options) => {
            setBusy(true);
            setError(null);
            try {
              await api.uploadAttachment(householdId, options.file as File, kind, caseId);
              void message.success(t('households.uploaded'));
              onUploaded();
            } catch (caught) {
              setError(caught);
            } finally {
              setBusy(false);
            }
          }}
        >
          <Button icon={<UploadOutlined />} loading={busy} data-testid="upload-attachment">
            {t('households.upload')}
          </Button>
        </Upload>
        <Typography.Text type="secondary">{t('households.uploadHint')}</Typography.Text>
      </Space>
      {error ? <ErrorAlert error={error} onClose={() => setError(null)} /> : null}
    </Space>
  );
}

/** Attachments as a table, each downloadable through the API (the download needs the access token, so not a plain link). */
export function AttachmentTable({ householdId, attachments, emptyText }: { householdId: string; attachments: HouseholdAttachment[]; emptyText: ReactNode }) {
  const { t, tx, locale } = useI18n();
  const { api } = useAuth();
  const [error, setError] = useState<unknown>(null);
  async function download(attachment: HouseholdAttachment) {
    setError(null);
    try {
      const url = URL.createObjectURL(await api.downloadAttachment(householdId, attachment.id));
      const link = document.createElement('a');
      link.href = url;
      link.download = attachment.fileName;
      link.click();
      // The click has started the download; the browser keeps what it needs.
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (caught) {
      setError(caught);
    }
  }
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      {error ? <ErrorAlert error={error} onClose={() => setError(null)} /> : null}
      <Table
        size="small"
        rowKey="id"
        pagination={false}
        dataSource={attachments}
        data-testid="attachments-table"
        locale={{ emptyText: <Empty description={emptyText} /> }}
        columns={[
          { title: t('households.fileName'), dataIndex: 'fileName' },
          { title: t('households.attachmentKind'), dataIndex: 'kind', render: (k: string) => tx(`attachmentKind.${k}`) },
          { title: t('households.size'), dataIndex: 'sizeBytes', align: 'right', render: (v: number) => `${Math.ceil(v / 1024)} KB` },
          { title: t('households.uploadedAt'), dataIndex: 'uploadedAt', render: (v: string) => formatDateTime(v, locale) },
          {
            title: '',
            key: 'download',
            render: (_: unknown, attachment: HouseholdAttachment) => (
              <Button size="small" type="link" icon={<DownloadOutlined />} onClick={() => void download(attachment)}>
                {t('attachments.download')}
              </Button>
            ),
          },
        ]}
      />
    </Space>
  );
}
