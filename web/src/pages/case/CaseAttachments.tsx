import { Alert, Card, Skeleton, Space } from 'antd';
import { Link } from 'react-router';
import type { AuthUser, CaseView } from '../../api/types';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useLoad } from '../../components/hooks';
import { useI18n } from '../../i18n/i18n';
import { AttachmentTable, AttachmentUpload } from '../households/AttachmentParts';

/**
 * The case's attachments: the files of its household linked to this case
 * (GET /api/households/:id/attachments?caseId=). Files are kept by the household, never by
 * the case (docs/households.md), so a case started without a household file has none, and
 * the card says why. Officers upload (the API checks who may write the file: 403 otherwise).
 */
export function CaseAttachments({ view, user }: { view: CaseView; user: AuthUser }) {
  const { t } = useI18n();
  const householdId = view.householdId;
  const list = useLoad((api) => (householdId ? api.attachments(householdId, view.id) : Promise.resolve([])), [householdId, view.id]);
  return (
    <Card
      size="small"
      title={t('caseAttachments.title')}
      data-testid="case-attachments"
      extra={householdId ? <Link to={`/households/${householdId}`}>{t('caseAttachments.openFile')}</Link> : null}
    >
      {!householdId ? (
        <Alert type="info" showIcon title={t('caseAttachments.noHousehold')} data-testid="case-attachments-unavailable" />
      ) : (
        <Space orientation="vertical" style={{ width: '100%' }}>
          {user.roles.includes('officer') ? <AttachmentUpload householdId={householdId} caseId={view.id} onUploaded={() => void list.reload()} /> : null}
          {list.error ? <ErrorAlert error={list.error} /> : null}
          {list.data ? (
            <AttachmentTable householdId={householdId} attachments={list.data} emptyText={t('caseAttachments.empty')} />
          ) : list.loading ? (
            <Skeleton active paragraph={{ rows: 2 }} />
          ) : null}
        </Space>
      )}
    </Card>
  );
}
