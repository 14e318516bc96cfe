import { Button, Card, Descriptions, Table, Typography } from 'antd';
import { useState } from 'react';
import type { AuthUser, CaseView, FieldDefinition } from '../../api/types';
import { useAuth } from '../../auth/auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatDateTime } from '../../components/format';
import { useJurisdictionName } from '../../components/hooks';
import { DeadlineText } from '../../deadlines/DeadlineText';
import { useWorkingCalendar } from '../../deadlines/use-working-days';
import { yearsBetween } from '../../deadlines/working-days';
import { useI18n } from '../../i18n/i18n';
import { statusText, valueText } from './value-text';

export const REVEAL_PERMISSION = 'reveal-resident-id';

/**
 * The household and where its case stands: the current steps with their deadlines (working
 * days left), and the case data under the definition's labels. Resident IDs are masked as
 * the API sends them; a user with the reveal permission may show one (audited by the API).
 */
export function CaseSummary({ view, fields, order, user }: { view: CaseView; fields: Record<string, FieldDefinition>; order: string[]; user: AuthUser }) {
  const { t, tx, label, locale } = useI18n();
  const area = useJurisdictionName(view.jurisdictionCode);
  const now = new Date();
  const dues = view.openTasks.filter((task) => task.dueAt);
  const calendar = useWorkingCalendar(dues.flatMap((task) => yearsBetween(now, new Date(task.dueAt!))));
  const stepLabel = (key: string) => label(view.currentSteps.find((s) => s.key === key), key);

  return (
    <Card title={t('case.summary')} size="small" data-testid="case-summary">
      <Descriptions size="small" column={{ xs: 1, sm: 2 }} bordered>
        <Descriptions.Item label={t('case.household')}>{view.title ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('case.area')}>{area}</Descriptions.Item>
        <Descriptions.Item label={t('case.workflow')}>
          {label(view.workflow)} <Typography.Text type="secondary">{t('case.versionOf', { version: view.workflow.version })}</Typography.Text>
        </Descriptions.Item>
        <Descriptions.Item label={t('case.status')}>{statusText(view.status, tx)}</Descriptions.Item>
        <Descriptions.Item label={t('case.currentStep')} span={2}>
          <span data-testid="current-step">{view.currentSteps.map((s) => label(s)).join('、') || '—'}</span>
        </Descriptions.Item>
        {view.openTasks.map((task) => (
          <Descriptions.Item key={task.id} label={t('case.deadlineOf', { step: stepLabel(task.step) })} span={2}>
            <DeadlineText dueAt={task.dueAt} calendar={calendar} now={now} />
          </Descriptions.Item>
        ))}
        {dues.length > 0 && calendar === null ? (
          <Descriptions.Item label={t('case.deadlineNote')} span={2}>
            {t('deadline.calendarUnavailable')}
          </Descriptions.Item>
        ) : null}
        <Descriptions.Item label={t('case.createdAt')}>{formatDateTime(view.createdAt, locale)}</Descriptions.Item>
        <Descriptions.Item label={t('case.updatedAt')}>{formatDateTime(view.updatedAt, locale)}</Descriptions.Item>
      </Descriptions>
      <Typography.Title level={5} style={{ marginTop: 16 }}>
        {t('case.data')}
      </Typography.Title>
      <Descriptions size="small" column={1} bordered data-testid="case-data">
        {order.map((key) => {
          const field = fields[key];
          const value = view.data[key];
          return (
            <Descriptions.Item key={key} label={label(field, key)}>
              {field?.type === 'table' && Array.isArray(value) ? (
                <DataTable field={field} rows={value as Record<string, unknown>[]} caseId={view.id} path={key} user={user} />
              ) : field?.type === 'residentId' ? (
                <ResidentId caseId={view.id} path={key} masked={String(value ?? '')} user={user} />
              ) : (
                valueText(field, value, t, locale)
              )}
            </Descriptions.Item>
          );
        })}
      </Descriptions>
    </Card>
  );
}

function DataTable({ field, rows, caseId, path, user }: { field: FieldDefinition; rows: Record<string, unknown>[]; caseId: string; path: string; user: AuthUser }) {
  const { t, label, locale } = useI18n();
  const columns = Object.entries(field.columns ?? {});
  return (
    <Table
      size="small"
      pagination={false}
      rowKey={(_, index) => String(index)}
      dataSource={rows}
      scroll={{ x: true }}
      columns={columns.map(([key, column]) => ({
        key,
        title: label(column, key),
        render: (_: unknown, row: Record<string, unknown>, index: number) =>
          column.type === 'residentId' && row[key] ? (
            <ResidentId caseId={caseId} path={`${path}/${index}/${key}`} masked={String(row[key])} user={user} />
          ) : (
            valueText(column, row[key], t, locale)
          ),
      }))}
    />
  );
}

function ResidentId({ caseId, path, masked, user }: { caseId: string; path: string; masked: string; user: AuthUser }) {
  const { t } = useI18n();
  const { client } = useAuth();
  const [plain, setPlain] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  if (!masked) return <>—</>;
  const reveal = async () => {
    try {
      const answer = await client.post<{ residentId: string }>(`/api/cases/${encodeURIComponent(caseId)}/resident-ids/reveal`, { path });
      setPlain(answer.residentId);
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <span>
      <Typography.Text code>{plain ?? masked}</Typography.Text>
      {user.permissions.includes(REVEAL_PERMISSION) && !plain ? (
        <Button type="link" size="small" onClick={() => void reveal()}>
          {t('case.reveal')}
        </Button>
      ) : null}
      {error ? <ErrorAlert error={error} /> : null}
    </span>
  );
}
