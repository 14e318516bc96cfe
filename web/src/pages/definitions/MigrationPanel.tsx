import { Alert, App, Button, Card, Input, Popconfirm, Select, Space, Spin, Statistic, Table, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { ApiError } from '../../api/client';
import type { CaseMigrationResult, MigrationReport, MigrationRun, StoredVersion, VersionSummary } from '../../api/definition-types';
import type { StepDefinition, WorkflowDefinition } from '../../api/types';
import { useAuth } from '../../auth/auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useI18n } from '../../i18n/i18n';
import { caseIdsIn } from './case-ids';
import { MappingEditor } from './MappingEditor';
import { inProgress, MigrationRunProgress } from './MigrationRunProgress';
import { defaultMapping, mappingRequest, stepKeys } from './step-mapping';

const OUTCOME_COLOR: Record<CaseMigrationResult['outcome'], string> = { migrated: 'green', migratable: 'blue', skipped: 'red' };

function findStep(steps: Record<string, StepDefinition>, key: string): StepDefinition | undefined {
  if (steps[key]) return steps[key];
  for (const step of Object.values(steps)) {
    for (const region of Object.values(step.regions ?? {})) {
      const found = findStep(region.steps, key);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * Moving running cases to a newer version: versions, the step mapping, a dry run's plan per
 * case (answered at once), then the run — a job on the server, whose progress and refusals
 * are shown as it goes. A run already under way (started here earlier, or by a colleague)
 * is shown when the panel opens, and starting another is not offered meanwhile.
 */
export function MigrationPanel({ workflowKey, versions, onMigrated }: { workflowKey: string; versions: VersionSummary[]; onMigrated(): void }) {
  const { t, label } = useI18n();
  const { api } = useAuth();
  const { message } = App.useApp();
  const withCases = versions.filter((v) => v.running > 0);
  const [from, setFrom] = useState<number | undefined>(withCases[0]?.version);
  const [to, setTo] = useState<number | undefined>(versions.at(-1)?.version);
  const [definitions, setDefinitions] = useState<{ from: StoredVersion; to: StoredVersion } | null>(null);
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [ids, setIds] = useState('');
  const [report, setReport] = useState<MigrationReport | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<'load' | 'dry' | 'run' | null>(null);
  /** The run shown (the one started here, or one found under way), and whether it still runs. */
  const [run, setRun] = useState<{ id: string; active: boolean } | null>(null);

  useEffect(() => {
    let live = true;
    void api.migrationRuns(workflowKey).then(
      (runs) => {
        const active = runs.find(inProgress);
        if (live && active) setRun({ id: active.id, active: true });
      },
      () => undefined, // the panel works without it; starting a run would say what is wrong
    );
    return () => {
      live = false;
    };
  }, [api, workflowKey]);

  useEffect(() => {
    setFrom((current) => current ?? withCases[0]?.version);
    setTo((current) => current ?? versions.at(-1)?.version);
  }, [versions]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    setReport(null);
    setDefinitions(null);
    if (from === undefined || to === undefined || from >= to) return;
    let live = true;
    setBusy('load');
    void Promise.all([api.definitionVersion(workflowKey, from), api.definitionVersion(workflowKey, to)]).then(
      ([a, b]) => {
        if (!live) return;
        setDefinitions({ from: a, to: b });
        setMapping(defaultMapping(a.definition, b.definition));
        setBusy(null);
      },
      (e: unknown) => live && (setError(e), setBusy(null)),
    );
    return () => {
      live = false;
    };
  }, [api, workflowKey, from, to]);

  async function migrate(dryRun: boolean) {
    if (from === undefined || to === undefined) return;
    setBusy(dryRun ? 'dry' : 'run');
    setError(null);
    const request = { fromVersion: from, toVersion: to, mapping: mappingRequest(mapping), caseIds: caseIdsIn(ids) };
    try {
      if (dryRun) {
        setReport(await api.dryRunMigration(workflowKey, request));
      } else {
        const started = await api.startMigration(workflowKey, request);
        // The plan was of the cases as they stood: the run's own progress replaces it.
        setReport(null);
        setRun({ id: started.id, active: true });
        message.info(t('defs.migrationStarted'));
      }
    } catch (e) {
      setError(e);
      // Another run of the workflow is under way: show it.
      const runId = e instanceof ApiError && e.code === 'MIGRATION_RUNNING' ? e.body.details?.runId : undefined;
      if (typeof runId === 'string') setRun({ id: runId, active: true });
    } finally {
      setBusy(null);
    }
  }

  function runFinished(finished: MigrationRun) {
    setRun({ id: finished.id, active: false });
    onMigrated();
  }

  const stepLabel = (definition: WorkflowDefinition | undefined, key: string) => label(definition ? findStep(definition.steps, key) : undefined, key);
  const options = versions.map((v) => ({ value: v.version, label: t('defs.versionWithRunning', { version: v.version, running: v.running }) }));
  const planned = report?.dryRun === true;
  const running = run?.active === true;
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }} data-testid="migration-panel">
      <Typography.Paragraph type="secondary">{t('defs.migrationHint')}</Typography.Paragraph>
      <Space wrap>
        {t('defs.diffFrom')}
        <Select aria-label={t('defs.migrateFrom')} style={{ width: 200 }} value={from} options={options} onChange={setFrom} data-testid="migrate-from" />
        {t('defs.diffTo')}
        <Select aria-label={t('defs.migrateTo')} style={{ width: 200 }} value={to} options={options} onChange={setTo} data-testid="migrate-to" />
      </Space>
      {from !== undefined && to !== undefined && from >= to ? <Alert type="info" showIcon title={t('defs.migrateNewer')} /> : null}
      {busy === 'load' ? <Spin /> : null}
      {definitions ? (
        <>
          <MappingEditor
            mapping={mapping}
            targets={stepKeys(definitions.to.definition)}
            labels={(version, key) => stepLabel(definitions[version].definition, key)}
            onChange={setMapping}
          />
          <Input.TextArea rows={2} value={ids} onChange={(e) => setIds(e.target.value)} placeholder={t('defs.caseIdsRunningPlaceholder')} aria-label={t('defs.caseIds')} />
          <Space>
            <Button onClick={() => void migrate(true)} loading={busy === 'dry'} disabled={busy !== null} data-testid="migrate-dry-run">
              {t('defs.dryRun')}
            </Button>
            <Popconfirm
              title={t('defs.migrateConfirm', { count: report?.totals.migratable ?? 0, from: from ?? '', to: to ?? '' })}
              okText={t('defs.migrate')}
              cancelText={t('common.cancel')}
              onConfirm={() => migrate(false)}
              disabled={!planned || running || (report?.totals.migratable ?? 0) === 0}
            >
              <Button type="primary" danger loading={busy === 'run'} disabled={!planned || running || (report?.totals.migratable ?? 0) === 0 || busy !== null} data-testid="migrate-run">
                {busy === 'run' ? t('defs.migrating') : t('defs.migrate')}
              </Button>
            </Popconfirm>
          </Space>
          {!planned ? <Typography.Text type="secondary">{t('defs.dryRunFirst')}</Typography.Text> : null}
        </>
      ) : null}
      {error ? <ErrorAlert error={error} onClose={() => setError(null)} /> : null}
      {run ? <MigrationRunProgress workflowKey={workflowKey} runId={run.id} onFinished={runFinished} /> : null}
      {report ? (
        <Card size="small" title={t('defs.planTitle')} data-testid="migration-report">
          <Space size="large" style={{ marginBottom: 12 }}>
            {(['cases', 'migratable', 'migrated', 'skipped'] as const).map((name) => (
              <Statistic key={name} title={t(`defs.migration.${name}`)} value={report.totals[name]} />
            ))}
          </Space>
          <Table<CaseMigrationResult>
            size="small"
            rowKey="caseId"
            dataSource={report.cases}
            pagination={{ pageSize: 50, hideOnSinglePage: true }}
            locale={{ emptyText: t('defs.noRunningCases') }}
            columns={[
              { title: t('defs.case'), key: 'case', render: (_, c) => <Link to={`/cases/${c.caseId}`}>{c.title ?? c.caseId.slice(0, 8)}</Link> },
              { title: t('defs.outcome'), dataIndex: 'outcome', render: (o: CaseMigrationResult['outcome']) => <Tag color={OUTCOME_COLOR[o]}>{t(`defs.migration.${o}`)}</Tag> },
              {
                title: t('defs.migration.steps'),
                key: 'steps',
                render: (_, c) =>
                  c.reason ??
                  (c.steps ?? []).map((s, i) => (
                    <div key={i}>
                      {s.from.step} → {s.to.step}
                      {s.task ? <Tag style={{ marginInlineStart: 6 }}>{t(`defs.task.${s.task}`)}</Tag> : null}
                    </div>
                  )),
              },
              {
                title: t('defs.migration.deadlines'),
                key: 'deadlines',
                render: (_, c) =>
                  (c.deadlines ?? []).map((d, i) => (
                    <div key={i}>
                      {d.step}: {d.before ?? '—'} → {d.after ?? '—'}
                    </div>
                  )),
              },
            ]}
          />
        </Card>
      ) : null}
    </Space>
  );
}
