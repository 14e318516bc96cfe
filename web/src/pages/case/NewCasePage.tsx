import { FolderOpenOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Empty, Form, Radio, Skeleton, Space, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { ApiError } from '../../api/client';
import type { FieldIssue, StartableWorkflow } from '../../api/types';
import { useAuth, useUser } from '../../auth/auth';
import { describeError, issuesOf } from '../../components/api-error';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useJurisdictionName, useLoad } from '../../components/hooks';
import { ActionForm } from '../../forms/ActionForm';
import { useI18n } from '../../i18n/i18n';
import { JurisdictionPicker } from './JurisdictionPicker';

/**
 * 新建案件 (`/cases/new`): the procedures the user may start (GET /api/workflows/startable —
 * the API's own start rule), the start form generated from the definition, and the division
 * the case belongs to where the procedure needs one. Procedures that start from a household
 * file send the user to the file instead. `?workflow=<key>` chooses one.
 */
export default function NewCasePage() {
  const { t, label } = useI18n();
  const [params, setParams] = useSearchParams();
  const list = useLoad((api) => api.startableWorkflows(), []);
  const chosen = params.get('workflow') ?? undefined;
  // Forms once opened stay mounted (hidden), so switching procedures loses nothing typed.
  const [opened, setOpened] = useState<string[]>([]);
  const workflows = list.data ?? [];
  const selected = workflows.find((w) => w.key === chosen);

  useEffect(() => {
    if (selected && !opened.includes(selected.key)) setOpened((keys) => [...keys, selected.key]);
  }, [selected, opened]);

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t('newCase.title')}
      </Typography.Title>
      <Typography.Text type="secondary">{t('newCase.intro')}</Typography.Text>
      {list.error ? <ErrorAlert error={list.error} /> : null}
      {!list.data ? (
        list.error ? null : <Skeleton active />
      ) : workflows.length === 0 ? (
        <Card>
          <Empty
            description={
              <Space orientation="vertical" size={2}>
                <Typography.Text>{t('newCase.none')}</Typography.Text>
                <Typography.Text type="secondary">{t('newCase.noneHint')}</Typography.Text>
              </Space>
            }
            data-testid="new-case-none"
          />
        </Card>
      ) : (
        <>
          <Card size="small" title={t('newCase.chooseWorkflow')}>
            <Radio.Group
              value={selected?.key}
              onChange={(event) => setParams({ workflow: String(event.target.value) }, { replace: true })}
              aria-label={t('newCase.chooseWorkflow')}
              data-testid="new-case-workflows"
            >
              <Space orientation="vertical">
                {workflows.map((workflow) => (
                  <Radio key={workflow.key} value={workflow.key}>
                    <Space size={4} wrap>
                      <span>{label(workflow)}</span>
                      <Typography.Text type="secondary">{t('newCase.version', { version: workflow.version })}</Typography.Text>
                      {workflow.household ? <Tag color="blue">{t('newCase.fromFileTag')}</Tag> : null}
                      {workflow.calledBy.length > 0 ? <Tag>{t('newCase.calledTag')}</Tag> : null}
                    </Space>
                  </Radio>
                ))}
              </Space>
            </Radio.Group>
          </Card>
          {workflows
            .filter((workflow) => opened.includes(workflow.key))
            .map((workflow) => (
              <div key={workflow.key} hidden={workflow.key !== selected?.key} data-testid={`new-case-${workflow.key}`}>
                {workflow.household ? <FromHouseholdFile workflow={workflow} /> : <StartForm workflow={workflow} />}
              </div>
            ))}
        </>
      )}
    </Space>
  );
}

/** A procedure about one household: it starts from the household's file, which fills and links it. */
function FromHouseholdFile({ workflow }: { workflow: StartableWorkflow }) {
  const { t, tx, label } = useI18n();
  const name = label(workflow);
  return (
    <Alert
      type="info"
      showIcon
      title={t('newCase.fromFileTitle', { workflow: name })}
      description={
        <Space orientation="vertical">
          <span>{t('newCase.fromFileText')}</span>
          <span>{t('newCase.fromFileStatuses', { statuses: workflow.household!.statuses.map((s) => tx(`registerStatus.${s}`)).join('、'), workflow: name })}</span>
          <Link to="/households">
            <Button icon={<FolderOpenOutlined />} data-testid="new-case-to-households">
              {t('newCase.toHouseholds')}
            </Button>
          </Link>
        </Space>
      }
    />
  );
}

/** The start form of a procedure, the division of the case, and the API's answer. */
function StartForm({ workflow }: { workflow: StartableWorkflow }) {
  const { t, tx, label } = useI18n();
  const { api } = useAuth();
  const user = useUser();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const ownName = useJurisdictionName(user.jurisdictionCode);
  const { required, level } = workflow.jurisdiction;
  const [jurisdiction, setJurisdiction] = useState<string | undefined>(required ? undefined : user.jurisdictionCode);
  const [jurisdictionError, setJurisdictionError] = useState<string | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [issues, setIssues] = useState<FieldIssue[] | undefined>(undefined);
  const callers = workflow.calledBy.map((caller) => label(caller)).join('、');
  const fieldId = `start_${workflow.key}_jurisdiction`;

  async function start(data: Record<string, unknown>) {
    if (!jurisdiction) {
      setJurisdictionError(t('newCase.jurisdictionMissing'));
      return;
    }
    setError(null);
    setJurisdictionError(undefined);
    try {
      const view = await api.startCase({ workflow: workflow.key, data, ...(jurisdiction !== user.jurisdictionCode ? { jurisdiction } : {}) });
      void message.success(t('newCase.started'));
      navigate(`/cases/${view.id}`);
    } catch (caught) {
      // Everything typed stays in the form; the reasons go beside the fields and above them.
      setError(caught);
      setIssues(issuesOf(caught));
      if (caught instanceof ApiError && caught.code === 'INVALID_JURISDICTION') setJurisdictionError(describeError(caught, t).description);
    }
  }

  return (
    <Card size="small" title={t('newCase.formTitle')}>
      <Space orientation="vertical" style={{ width: '100%' }}>
        {workflow.calledBy.length > 0 ? <Alert type="warning" showIcon title={t('newCase.calledBy', { callers })} /> : null}
        {error ? <ErrorAlert error={error} onClose={() => setError(null)} /> : null}
        <Form layout="vertical" component="div">
          <Form.Item
            label={t('newCase.jurisdiction')}
            htmlFor={fieldId}
            required={required}
            validateStatus={jurisdictionError ? 'error' : undefined}
            help={jurisdictionError}
            extra={required ? t('newCase.jurisdictionRequired', { level: tx(`level.${level}`) }) : t('newCase.jurisdictionOptional', { name: ownName ?? user.jurisdictionCode })}
            data-testid="case-jurisdiction-item"
          >
            <JurisdictionPicker
              id={fieldId}
              root={user.jurisdictionCode}
              minLevel={level}
              value={jurisdiction}
              invalid={Boolean(jurisdictionError)}
              onChange={(code) => {
                setJurisdiction(code ?? (required ? undefined : user.jurisdictionCode));
                setJurisdictionError(undefined);
              }}
            />
          </Form.Item>
        </Form>
        {Object.keys(workflow.start.fields).length === 0 ? <Typography.Text type="secondary">{t('newCase.noFields')}</Typography.Text> : null}
        <ActionForm
          name={`start_${workflow.key}`}
          fields={workflow.start.fields}
          submitLabel={t('newCase.submit')}
          withComment={false}
          issues={issues}
          onInvalid={() => !jurisdiction && setJurisdictionError(t('newCase.jurisdictionMissing'))}
          onSubmit={({ data }) => start(data)}
        />
      </Space>
    </Card>
  );
}
