import { Alert, Empty, Table, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import type { OverdueTask } from '../../api/types';
import { useI18n } from '../../i18n/i18n';

/** A task and a call step visit are each one per (case, step, visit): a call step has no task id. */
export function overdueKey(item: OverdueTask): string {
  return item.taskId ?? `${item.caseId}:${item.step.key}:${item.step.entry}`;
}

/**
 * The overdue work of a town (the dashboard's drill-down): each row links to its case. A call
 * step has no task — it waits for the case it called — so its step names that case too,
 * linked, with the steps it is at now.
 */
export function OverdueCases({ tasks, partial }: { tasks: OverdueTask[]; partial: boolean }) {
  const { t } = useI18n();
  return (
    <>
      {partial ? <Alert type="info" showIcon title={t('dashboard.mostOverdueOnly')} style={{ marginBottom: 8 }} /> : null}
      <Table<OverdueTask>
        size="small"
        rowKey={overdueKey}
        data-testid="overdue-cases"
        dataSource={tasks}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        locale={{ emptyText: <Empty description={t('dashboard.noOverdueHere')} /> }}
        columns={[
          { title: t('dashboard.household'), dataIndex: 'title', render: (title: string | null, task) => <Link to={`/cases/${task.caseId}`}>{title ?? task.caseId.slice(0, 8)}</Link> },
          { title: t('dashboard.workflow'), render: (_, task) => task.workflow.label },
          { title: t('dashboard.step'), render: (_, task) => <StepCell task={task} /> },
          { title: t('dashboard.unit'), dataIndex: 'jurisdictionName' },
          { title: t('dashboard.dueAt'), dataIndex: 'dueAtText' },
          { title: t('dashboard.overdueFor'), render: (_, task) => <Tag color="red">{t('dashboard.days', { days: task.overdue.days })}</Tag> },
        ]}
      />
    </>
  );
}

function StepCell({ task }: { task: OverdueTask }) {
  const { t } = useI18n();
  const step = task.step.label ?? task.step.key;
  const called = task.waitingFor;
  if (!called) return <>{step}</>;
  const steps = called.steps.map((s) => s.label ?? s.key).join('、');
  return (
    <>
      {step}
      <br />
      <Typography.Text type="secondary" data-testid="overdue-waits-for">
        {t('dashboard.waitsFor')}
        <Link to={`/cases/${called.caseId}`}>{called.workflow.label || called.caseId.slice(0, 8)}</Link>
        {steps ? t('dashboard.calledAt', { steps }) : null}
      </Typography.Text>
    </>
  );
}
