import { Alert, Button, Input, Modal, Progress, Space, Table, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { ApiError } from '../../api/client';
import type { Endpoints } from '../../api/endpoints';
import type { BatchItem, InboxItem } from '../../api/types';
import { useAuth } from '../../auth/auth';
import { describeError } from '../../components/api-error';
import { hasKey, useI18n, type Translate } from '../../i18n/i18n';

/** Items per request: small enough for the progress bar to move, large enough to be quick. */
const CHUNK = 10;

export interface BatchRow {
  item: InboxItem;
  /** pending; ok; failed with the reason shown. */
  state: 'pending' | 'ok' | 'failed';
  reason?: string;
}

/**
 * Which action approves each task: the step's `approve` action as the case offers it to this
 * user, if its form has no required field (a batch sends no form). Tasks without one fail on
 * their own with the reason, before anything is sent.
 */
export async function planBatch(api: Endpoints, items: readonly InboxItem[], comment: string | undefined, t: Translate, onEach: () => void) {
  const plan: { row: BatchRow; request?: BatchItem }[] = [];
  for (const item of items) {
    try {
      const view = await api.getCase(item.caseId);
      const action = view.availableActions.find((a) => a.step === item.step.key && a.kind === 'approve');
      if (!action) plan.push({ row: { item, state: 'failed', reason: t('batch.noApprove') } });
      else if (Object.values(action.fields).some((field) => field.required)) plan.push({ row: { item, state: 'failed', reason: t('batch.needsForm') } });
      else plan.push({ row: { item, state: 'pending' }, request: { taskId: item.taskId, action: action.action, expectedVersion: item.caseVersion, ...(comment ? { comment } : {}) } });
    } catch (error) {
      plan.push({ row: { item, state: 'failed', reason: describeError(error, t).description } });
    }
    onEach();
  }
  return plan;
}

function itemReason(error: { code: string; message: string }, t: Translate): string {
  if (error.code === 'GUARD_FAILED') return error.message;
  const key = `apiCode.${error.code}`;
  return hasKey(key) ? t(key) : error.message;
}

/** Batch approval (POST /api/tasks/batch) of the ticked tasks, with a result per task. */
export function BatchApproveModal({ open, items, onClose }: { open: boolean; items: InboxItem[]; onClose(changed: boolean): void }) {
  const { t } = useI18n();
  const { api } = useAuth();
  const [comment, setComment] = useState('');
  const [phase, setPhase] = useState<'confirm' | 'running' | 'done'>('confirm');
  const [done, setDone] = useState(0);
  const [rows, setRows] = useState<BatchRow[]>([]);
  const [failure, setFailure] = useState<unknown>(null);

  useEffect(() => {
    if (open) {
      setPhase('confirm');
      setDone(0);
      setRows([]);
      setFailure(null);
    }
  }, [open]);

  async function run() {
    setPhase('running');
    // Two steps per task: finding its action, then taking it.
    let steps = 0;
    const tick = () => setDone(++steps);
    try {
      const plan = await planBatch(api, items, comment.trim() || undefined, t, tick);
      const current = plan.map((p) => p.row);
      setRows([...current]);
      const requests = plan.filter((p) => p.request);
      steps += plan.length - requests.length;
      setDone(steps);
      for (let start = 0; start < requests.length; start += CHUNK) {
        const chunk = requests.slice(start, start + CHUNK);
        const answer = await api.batch(chunk.map((p) => p.request!));
        for (const result of answer.results) {
          const row = current.find((r) => r.item.taskId === result.taskId);
          if (!row) continue;
          row.state = result.status === 200 ? 'ok' : 'failed';
          row.reason = result.error ? itemReason(result.error, t) : undefined;
        }
        steps += chunk.length;
        setDone(steps);
        setRows([...current]);
      }
    } catch (error) {
      setFailure(error);
    }
    setPhase('done');
  }

  const total = items.length * 2;
  const ok = rows.filter((row) => row.state === 'ok').length;
  const failed = rows.filter((row) => row.state === 'failed').length;

  return (
    <Modal
      open={open}
      title={t('batch.title')}
      width={760}
      onCancel={() => phase !== 'running' && onClose(phase === 'done' && ok > 0)}
      mask={{ closable: false }}
      footer={
        phase === 'confirm' ? (
          <Space>
            <Button onClick={() => onClose(false)}>{t('common.cancel')}</Button>
            <Button type="primary" onClick={() => void run()} data-testid="batch-confirm">
              {t('batch.confirm', { count: items.length })}
            </Button>
          </Space>
        ) : (
          <Button type="primary" disabled={phase === 'running'} onClick={() => onClose(ok > 0)}>
            {t('common.close')}
          </Button>
        )
      }
    >
      {phase === 'confirm' ? (
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Typography.Paragraph>{t('batch.explain', { count: items.length })}</Typography.Paragraph>
          <Input.TextArea value={comment} onChange={(e) => setComment(e.target.value)} placeholder={t('batch.commentPlaceholder')} maxLength={2000} autoSize={{ minRows: 2 }} />
        </Space>
      ) : (
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Progress percent={phase === 'done' ? 100 : Math.round((done / Math.max(total, 1)) * 100)} status={phase === 'running' ? 'active' : failed > 0 ? 'exception' : 'success'} data-testid="batch-progress" />
          {phase === 'done' ? <Typography.Text>{t('batch.summary', { ok, failed })}</Typography.Text> : <Typography.Text type="secondary">{t('batch.running')}</Typography.Text>}
          {failure ? <Alert type="error" showIcon title={describeError(failure, t).title} description={failure instanceof ApiError ? failure.body.message : String(failure)} /> : null}
          <Table<BatchRow>
            size="small"
            rowKey={(row) => row.item.taskId}
            pagination={false}
            dataSource={rows}
            columns={[
              { title: t('inbox.household'), key: 'title', render: (_, row) => row.item.title ?? t('inbox.untitled') },
              { title: t('inbox.step'), key: 'step', render: (_, row) => row.item.step.label ?? row.item.step.key },
              {
                title: t('batch.result'),
                key: 'result',
                render: (_, row) =>
                  row.state === 'ok' ? (
                    <Tag color="green">{t('batch.ok')}</Tag>
                  ) : row.state === 'failed' ? (
                    <Space size={4}>
                      <Tag color="red">{t('batch.failed')}</Tag>
                      <span>{row.reason}</span>
                    </Space>
                  ) : (
                    <Tag>{t('batch.pending')}</Tag>
                  ),
              },
            ]}
          />
        </Space>
      )}
    </Modal>
  );
}
