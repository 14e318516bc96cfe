import { RollbackOutlined } from '@ant-design/icons';
import { Button, Card, Empty, Input, Modal, Space, Tabs, Typography } from 'antd';
import { useState } from 'react';
import type { AuthUser, CaseView, HistoryEntry, WorkflowDefinition } from '../../api/types';
import { useAuth } from '../../auth/auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { ActionForm } from '../../forms/ActionForm';
import { useI18n } from '../../i18n/i18n';
import { actionOf } from './definition-labels';

export type Write = (run: () => Promise<unknown>, done?: string) => Promise<boolean>;

/** The user's latest action on the case, if the definition lets them withdraw it (撤回): the API has the last word. */
export function withdrawableAction(history: readonly HistoryEntry[], definition: WorkflowDefinition, user: AuthUser) {
  const last = [...history].reverse().find((entry) => entry.eventType === 'action');
  if (!last || last.actor.id !== user.id || !last.action) return undefined;
  const step = typeof last.payload.step === 'string' ? last.payload.step : undefined;
  const action = step ? actionOf(definition, step, last.action) : undefined;
  return action?.withdrawable ? action : undefined;
}

/** Forward actions first, then objections, returns and rejections; within a kind, the definition's order (the API keeps it). */
const KIND_ORDER: Record<string, number> = { submit: 0, approve: 1, decide: 2, complete: 3, object: 4, return: 5, reject: 6 };

function newIdempotencyKey(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

/**
 * The actions the user may take now (the case's availableActions), each with the form the
 * definition gives it; withdrawing the user's last action where the definition allows it.
 */
export function CaseActions(props: {
  view: CaseView;
  definition: WorkflowDefinition;
  history: HistoryEntry[];
  user: AuthUser;
  error: unknown;
  onDismissError(): void;
  write: Write;
  blocked: boolean;
  /** The household file's figures for the first action, when the case was just started from a file. */
  prefill?: { step: string; action: string; data: Record<string, unknown> } | null;
}) {
  const { view, definition, history, user, error, onDismissError, write, blocked, prefill } = props;
  const { t, label } = useI18n();
  const { api } = useAuth();
  const [withdrawOpen, setWithdrawOpen] = useState(false);
  const [reason, setReason] = useState('');
  const withdrawable = view.finished ? undefined : withdrawableAction(history, definition, user);
  const several = new Set(view.availableActions.map((a) => a.step)).size > 1;

  return (
    <Card title={t('case.actions')} size="small" data-testid="case-actions">
      <Space orientation="vertical" style={{ width: '100%' }}>
        {error ? <ErrorAlert error={error} onClose={onDismissError} /> : null}
        {view.availableActions.length === 0 ? (
          <Empty
            image={Empty.PRESENTED_IMAGE_SIMPLE}
            description={
              <Space orientation="vertical" size={2}>
                <Typography.Text>{view.finished ? t('case.noActionsFinished') : t('case.noActions')}</Typography.Text>
                {view.finished ? null : <Typography.Text type="secondary">{t('case.noActionsHint')}</Typography.Text>}
              </Space>
            }
          />
        ) : (
          <Tabs
            items={[...view.availableActions].sort((a, b) => (KIND_ORDER[a.kind] ?? 9) - (KIND_ORDER[b.kind] ?? 9)).map((action) => {
              const key = `${action.step}.${action.action}`;
              const title = label(action);
              const stepTitle = label(view.currentSteps.find((s) => s.key === action.step), action.stepLabel);
              return {
                key,
                label: several ? `${title}（${stepTitle}）` : title,
                children: (
                  <ActionForm
                    name={`act_${action.step}_${action.action}`}
                    fields={action.fields}
                    submitLabel={title}
                    danger={action.kind === 'return' || action.kind === 'reject'}
                    disabled={blocked}
                    initial={prefill && prefill.step === action.step && prefill.action === action.action ? prefill.data : undefined}
                    onSubmit={async ({ data, comment }) => {
                      await write(
                        () => api.act(view.id, { action: action.action, step: action.step, data, comment, expectedVersion: view.version }, newIdempotencyKey()),
                        t('case.actionDone', { action: title }),
                      );
                    }}
                  />
                ),
              };
            })}
          />
        )}
        {withdrawable ? (
          <div>
            <Button icon={<RollbackOutlined />} onClick={() => setWithdrawOpen(true)} disabled={blocked} data-testid="withdraw">
              {t('case.withdraw', { action: label(withdrawable) })}
            </Button>
            <Typography.Text type="secondary" style={{ marginInlineStart: 8 }}>
              {t('case.withdrawHint')}
            </Typography.Text>
          </div>
        ) : null}
      </Space>
      <Modal
        open={withdrawOpen}
        title={t('case.withdrawTitle')}
        okText={t('case.withdrawConfirm')}
        cancelText={t('common.cancel')}
        onCancel={() => setWithdrawOpen(false)}
        onOk={async () => {
          setWithdrawOpen(false);
          await write(() => api.withdraw(view.id, { expectedVersion: view.version, ...(reason.trim() ? { reason: reason.trim() } : {}) }), t('case.withdrawn'));
          setReason('');
        }}
      >
        <Input.TextArea value={reason} onChange={(e) => setReason(e.target.value)} placeholder={t('case.withdrawReason')} maxLength={2000} autoSize={{ minRows: 2 }} />
      </Modal>
    </Card>
  );
}
