import { App, Button, Modal, Popconfirm, Space, Typography } from 'antd';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import type { FieldDefinition, FieldIssue, HouseholdFile, StartableWorkflow } from '../../api/types';
import { useAuth } from '../../auth/auth';
import { issuesOf } from '../../components/api-error';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useLoad } from '../../components/hooks';
import { ActionForm } from '../../forms/ActionForm';
import { useI18n } from '../../i18n/i18n';

/**
 * The procedures this file starts (POST /api/households/:id/cases): those the user may start
 * (GET /api/workflows/startable) whose household statuses include the file's — poverty-entry
 * from a file not registered, poverty-exit from a registered one, disaster re-entry from an
 * exited one. A procedure already open for the household is a link to its case instead.
 */
export function StartFromFile({ household }: { household: HouseholdFile }) {
  const startable = useLoad((api) => api.startableWorkflows(), []);
  if (household.access === 'read') return null;
  const offered = (startable.data ?? []).filter((workflow) => workflow.household?.statuses.includes(household.registerStatus));
  if (offered.length === 0) return startable.error ? <ErrorAlert error={startable.error} /> : null;
  return (
    <Space wrap>
      {offered.map((workflow) => (
        <StartButton key={workflow.key} household={household} workflow={workflow} />
      ))}
    </Space>
  );
}

function StartButton({ household, workflow }: { household: HouseholdFile; workflow: StartableWorkflow }) {
  const { t, label } = useI18n();
  const { api } = useAuth();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const [formOpen, setFormOpen] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [issues, setIssues] = useState<FieldIssue[] | undefined>(undefined);
  const name = label(workflow);
  const open = household.cases.find((c) => c.workflow === workflow.key && !c.finished);
  if (open) return <Link to={`/cases/${open.id}`}>{t('fileStart.openCase', { workflow: name })}</Link>;
  // What the file does not hold is asked for (a disaster's type and date); the rest comes from the file.
  const fromFile = workflow.household?.fromFile ?? [];
  const asked: Record<string, FieldDefinition> = Object.fromEntries(Object.entries(workflow.start.fields).filter(([key]) => !fromFile.includes(key)));

  async function start(data?: Record<string, unknown>) {
    setBusy(true);
    setError(null);
    try {
      const started = await api.startHouseholdCase(household.id, workflow.key, data);
      void message.success(t('fileStart.started'));
      navigate(`/cases/${started.case.id}`, { state: { prefill: started.prefill } });
    } catch (caught) {
      setError(caught);
      setIssues(issuesOf(caught));
    } finally {
      setBusy(false);
    }
  }

  const button = (
    <Button type="primary" loading={busy} onClick={Object.keys(asked).length > 0 ? () => setFormOpen(true) : undefined} data-testid={`start-from-file-${workflow.key}`}>
      {t('fileStart.start', { workflow: name })}
    </Button>
  );
  if (Object.keys(asked).length === 0) {
    return (
      <>
        <Popconfirm title={t('fileStart.confirm', { name: household.headName, workflow: name })} okText={t('common.ok')} cancelText={t('common.cancel')} onConfirm={() => start()}>
          {button}
        </Popconfirm>
        {error ? <ErrorAlert error={error} onClose={() => setError(null)} /> : null}
      </>
    );
  }
  return (
    <>
      {button}
      {/* forceRender: what was typed survives closing the dialog and a refusal. */}
      <Modal open={formOpen} title={t('fileStart.formTitle', { name: household.headName, workflow: name })} onCancel={() => setFormOpen(false)} footer={null} forceRender>
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Typography.Text type="secondary">{t('fileStart.formIntro')}</Typography.Text>
          {error ? <ErrorAlert error={error} onClose={() => setError(null)} /> : null}
          <ActionForm name={`file_${workflow.key}`} fields={asked} submitLabel={t('fileStart.start', { workflow: name })} withComment={false} issues={issues} onSubmit={({ data }) => start(data)} />
        </Space>
      </Modal>
    </>
  );
}
