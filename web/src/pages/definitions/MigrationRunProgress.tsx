import { Alert, Card, Progress, Space, Statistic, Table, Tag, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import type { MigrationRun, MigrationRunCase, MigrationRunStatus } from '../../api/definition-types';
import { ApiError } from '../../api/client';
import { useAuth } from '../../auth/auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatDateTime } from '../../components/format';
import { useI18n } from '../../i18n/i18n';

/** How often a run in progress is asked for; a large run takes minutes, one second is plenty. */
export const RUN_POLL_MS = 1000;

const STATUS_COLOR: Record<MigrationRunStatus, string> = { queued: 'default', running: 'processing', done: 'success', failed: 'error' };
const OUTCOME_COLOR: Record<MigrationRunCase['outcome'], string> = { refused: 'red', skipped: 'blue', failed: 'volcano' };
const COUNTS = ['total', 'migrated', 'refused', 'skipped', 'failed', 'pending'] as const;

export function inProgress(run: Pick<MigrationRun, 'status'>): boolean {
  return run.status === 'queued' || run.status === 'running';
}

/** Share of the run's cases handled so far (0–100); a run of no cases is complete. */
export function runPercent(counts: MigrationRun['counts']): number {
  return counts.total === 0 ? 100 : Math.floor(((counts.total - counts.pending) * 100) / counts.total);
}

/**
 * A migration run as it goes: asks the API every `pollMs` while it is queued or running,
 * then once more never — its counts, a progress bar, and the cases it did not move with the
 * reasons. `onFinished` is called once, when the run is seen done or failed.
 */
export function MigrationRunProgress({
  workflowKey,
  runId,
  pollMs = RUN_POLL_MS,
  onFinished,
}: {
  workflowKey: string;
  runId: string;
  pollMs?: number;
  onFinished?(run: MigrationRun): void;
}) {
  const { t, locale } = useI18n();
  const { api } = useAuth();
  const [run, setRun] = useState<MigrationRun | null>(null);
  const [error, setError] = useState<unknown>(null);
  const finished = useRef(onFinished);
  finished.current = onFinished;

  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setRun(null);
    const load = async () => {
      try {
        const next = await api.migrationRun(workflowKey, runId);
        if (!live) return;
        setRun(next);
        setError(null);
        if (inProgress(next)) timer = setTimeout(load, pollMs);
        else finished.current?.(next);
      } catch (e) {
        if (!live) return;
        setError(e);
        // A lost connection may come back; a refusal (404, 403) will not.
        if (!(e instanceof ApiError) || e.status >= 500) timer = setTimeout(load, pollMs * 5);
      }
    };
    void load();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, workflowKey, runId, pollMs]);

  if (!run) return error ? <ErrorAlert error={error} /> : null;
  const percent = runPercent(run.counts);
  return (
    <Card
      size="small"
      data-testid="migration-run"
      title={
        <Space>
          {t('defs.run.title', { from: run.fromVersion, to: run.toVersion })}
          <Tag color={STATUS_COLOR[run.status]} data-testid="migration-run-status">
            {t(`defs.run.status.${run.status}`)}
          </Tag>
        </Space>
      }
    >
      <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
        <Typography.Text type="secondary">{t('defs.run.requestedBy', { user: run.requestedBy.username ?? run.requestedBy.id, time: formatDateTime(run.createdAt, locale) })}</Typography.Text>
        <Progress
          percent={percent}
          status={run.status === 'failed' ? 'exception' : run.status === 'done' ? 'success' : 'active'}
          aria-label={t('defs.run.title', { from: run.fromVersion, to: run.toVersion })}
          data-testid="migration-run-progress"
        />
        <Space size="large" wrap data-testid="migration-run-counts">
          {COUNTS.map((name) => (
            <Statistic key={name} title={t(`defs.run.${name}`)} value={run.counts[name]} />
          ))}
        </Space>
        {run.error ? <Alert type="error" showIcon title={run.error} data-testid="migration-run-error" /> : null}
        {error ? <ErrorAlert error={error} /> : null}
        {run.refusals && (run.refusals.length > 0 || !inProgress(run)) ? (
          <Table<MigrationRunCase>
            size="small"
            rowKey="caseId"
            title={() => t('defs.run.notMoved')}
            dataSource={run.refusals}
            pagination={{ pageSize: 50, hideOnSinglePage: true }}
            locale={{ emptyText: t('defs.run.allMoved') }}
            data-testid="migration-run-refusals"
            columns={[
              { title: t('defs.case'), key: 'case', render: (_, c) => <Link to={`/cases/${c.caseId}`}>{c.title ?? c.caseId.slice(0, 8)}</Link> },
              { title: t('defs.outcome'), dataIndex: 'outcome', render: (o: MigrationRunCase['outcome']) => <Tag color={OUTCOME_COLOR[o]}>{t(`defs.run.${o}`)}</Tag> },
              { title: t('defs.run.reason'), dataIndex: 'reason' },
            ]}
          />
        ) : null}
      </Space>
    </Card>
  );
}
