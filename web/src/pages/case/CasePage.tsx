import { ReloadOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Col, Result, Row, Skeleton, Space, Steps, Tag, Typography } from 'antd';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useLocation, useParams } from 'react-router';
import { ApiError } from '../../api/client';
import type { CaseDefinition, CaseView, HistoryEntry, StartedHouseholdCase, TaskDetail, VerifyResult } from '../../api/types';
import { useAuth, useUser } from '../../auth/auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useI18n } from '../../i18n/i18n';
import { CaseActions } from './CaseActions';
import { CaseDiagram } from './CaseDiagram';
import { CaseAttachments } from './CaseAttachments';
import { CaseComments } from './CaseComments';
import { CaseSummary } from './CaseSummary';
import { CaseTimeline } from './CaseTimeline';
import { dataFields, dataOrder, progressSteps } from './definition-labels';
import { describeEvent } from './history-text';
import { TaskPanel } from './TaskPanel';
import { statusText } from './value-text';

interface Loaded {
  view: CaseView;
  definition: CaseDefinition;
  history: HistoryEntry[];
  verify: VerifyResult | null;
  tasks: TaskDetail[];
}

/** What the user saw before someone else acted first (409), to say what changed after reloading. */
interface Conflict {
  seenVersion: number;
  currentVersion?: number;
  seenSeq: number;
  seenSteps: string[];
}

/**
 * A case: the household summary, where it stands and its deadline, the forms of the actions
 * the user may take now, who works on its tasks, and its history with the verified chain.
 * Every write names the version the user saw; a 409 means someone acted first: the page says
 * so and, reloaded, shows what changed.
 */
export default function CasePage() {
  const { id = '' } = useParams();
  const { api } = useAuth();
  const user = useUser();
  const { t, tx, label, locale } = useI18n();
  // A case just started from a household file arrives with the file's figures for its first form.
  const prefill = (useLocation().state as { prefill?: StartedHouseholdCase['prefill'] } | null)?.prefill ?? null;
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [changes, setChanges] = useState<{ lines: string[]; steps: [string, string] } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async (): Promise<Loaded | null> => {
    try {
      const [view, definition, history] = await Promise.all([api.getCase(id), api.caseDefinition(id), api.history(id)]);
      const [verify, tasks] = await Promise.all([api.verify(id).catch(() => null), Promise.all(view.openTasks.map((task) => api.task(task.id)))]);
      const next = { view, definition, history, verify, tasks };
      setLoaded(next);
      setLoadError(null);
      return next;
    } catch (error) {
      setLoadError(error);
      return null;
    }
  }, [api, id]);

  useEffect(() => {
    setLoaded(null);
    setConflict(null);
    setChanges(null);
    setActionError(null);
    void load();
  }, [load]);

  const fields = useMemo(() => (loaded ? dataFields(loaded.definition.definition) : {}), [loaded]);
  const labels = useMemo(() => ({ t, tx, label, locale }), [t, tx, label, locale]);

  /** Runs a write; a 409 turns into the conflict notice, anything else into the error beside the forms. */
  async function write(run: () => Promise<unknown>, done?: string): Promise<boolean> {
    if (!loaded) return false;
    setActionError(null);
    setNotice(null);
    try {
      await run();
      await load();
      setConflict(null);
      setChanges(null);
      if (done) setNotice(done);
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) {
        const details = error.body.details as { currentVersion?: number } | undefined;
        setConflict({
          seenVersion: loaded.view.version,
          currentVersion: details?.currentVersion,
          seenSeq: loaded.history.at(-1)?.seq ?? 0,
          seenSteps: loaded.view.currentSteps.map((s) => label(s)),
        });
      } else {
        setActionError(error);
      }
      return false;
    }
  }

  async function reloadAfterConflict() {
    if (!conflict) return;
    const next = await load();
    if (!next) return;
    const lines = next.history
      .filter((entry) => entry.seq > conflict.seenSeq)
      .map((entry) => {
        const text = describeEvent(entry, next.definition.definition, fields, labels);
        return `${entry.actor.username ?? t('timeline.system')}：${text.title}${text.step ? `（${text.step}）` : ''}`;
      });
    setChanges({ lines, steps: [conflict.seenSteps.join('、') || '—', next.view.currentSteps.map((s) => label(s)).join('、') || statusText(next.view.status, tx)] });
    setConflict(null);
  }

  if (loadError && !loaded) {
    const missing = loadError instanceof ApiError && loadError.status === 404;
    return missing ? <Result status="404" title={t('case.notFound')} subTitle={t('case.notFoundHint')} /> : <ErrorAlert error={loadError} />;
  }
  if (!loaded) return <Skeleton active paragraph={{ rows: 12 }} />;

  const { view, definition, history, verify, tasks } = loaded;
  const steps = progressSteps(definition.definition);
  const current = new Set(view.currentSteps.map((s) => s.key));
  const currentIndex = steps.findIndex((s) => current.has(s.key));

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }} data-testid="case-page">
      <Space wrap align="center" style={{ justifyContent: 'space-between', width: '100%' }}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {view.title ?? t('inbox.untitled')} · {label(view.workflow)}
        </Typography.Title>
        <Button icon={<ReloadOutlined />} onClick={() => void load()}>
          {t('common.refresh')}
        </Button>
      </Space>
      {conflict ? (
        <Alert
          type="warning"
          showIcon
          data-testid="conflict"
          title={t('conflict.title')}
          description={
            conflict.currentVersion !== undefined
              ? t('conflict.bodyVersions', { seen: conflict.seenVersion, current: conflict.currentVersion })
              : t('conflict.body')
          }
          action={
            <Button type="primary" onClick={() => void reloadAfterConflict()} data-testid="conflict-reload">
              {t('conflict.reload')}
            </Button>
          }
        />
      ) : null}
      {changes ? (
        <Alert
          type="info"
          showIcon
          closable={{ onClose: () => setChanges(null) }}
          data-testid="changes"
          title={t('conflict.changedTitle', { from: changes.steps[0], to: changes.steps[1] })}
          description={changes.lines.length > 0 ? <ul style={{ margin: 0, paddingInlineStart: 20 }}>{changes.lines.map((line, i) => <li key={i}>{line}</li>)}</ul> : t('conflict.noNewEntries')}
        />
      ) : null}
      {notice ? <Alert type="success" showIcon closable={{ onClose: () => setNotice(null) }} title={notice} data-testid="action-done" /> : null}
      {steps.length > 0 ? (
        <Card size="small">
          <Steps
            size="small"
            current={currentIndex >= 0 ? currentIndex : view.finished ? steps.length : 0}
            status={view.finished ? 'finish' : 'process'}
            items={steps.map((s) => ({ title: label(s.step, s.key) }))}
            responsive
          />
          {view.finished ? (
            <div style={{ marginTop: 8 }}>
              <Tag color="green">{t('case.finished')}</Tag> {statusText(view.status, tx)}
            </div>
          ) : null}
        </Card>
      ) : null}
      <CaseDiagram caseId={view.id} version={view.version} currentSteps={view.currentSteps.map((s) => s.key)} />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={14}>
          <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
            <CaseSummary view={view} fields={fields} order={dataOrder(view.data, history, definition.definition.titleField)} user={user} />
            <CaseActions
              view={view}
              definition={definition.definition}
              history={history}
              user={user}
              error={actionError}
              onDismissError={() => setActionError(null)}
              write={write}
              blocked={conflict !== null}
              prefill={prefill}
            />
          </Space>
        </Col>
        <Col xs={24} xl={10}>
          <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
            {tasks.map((task) => (
              <TaskPanel key={task.id} task={task} view={view} definition={definition.definition} user={user} write={write} />
            ))}
            <CaseComments caseId={view.id} user={user} onPosted={load} />
            <CaseAttachments view={view} user={user} />
            <CaseTimeline history={history} verify={verify} definition={definition.definition} fields={fields} />
          </Space>
        </Col>
      </Row>
    </Space>
  );
}
