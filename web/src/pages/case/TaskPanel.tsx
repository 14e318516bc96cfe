import { Button, Card, Form, Input, Modal, Radio, Select, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import type { AuthUser, CaseView, TaskCandidate, TaskDetail, WorkflowDefinition } from '../../api/types';
import { useAuth } from '../../auth/auth';
import { useI18n } from '../../i18n/i18n';
import type { Write } from './CaseActions';
import { allSteps } from './definition-labels';

type Dialog = 'transfer' | 'delegate' | 'addSigner' | 'sign' | null;

/** What the user may do with a task, as the API decides it (src/tasks/task-assignment.service.ts); the buttons follow. */
export function taskAbilities(task: TaskDetail, user: AuthUser, countersign: boolean) {
  const eligible = user.roles.includes(task.role) && user.jurisdictionCode === task.jurisdictionCode;
  const holder = task.assigneeId === user.id || (task.assigneeId === null && eligible);
  const free = task.ownerId === null && task.pendingAction === null;
  return {
    // A countersign step (会签) is decided by everyone's votes: nobody claims it.
    claim: task.assigneeId === null && eligible && !countersign,
    release: task.assigneeId === user.id && free,
    transfer: task.allowed.transfer && holder && free && task.handOverTo.length > 0,
    delegate: task.allowed.delegate && holder && task.ownerId === null && task.handOverTo.length > 0,
    takeBack: task.ownerId === user.id,
    addSigner: task.allowed.addSigner && holder && task.pendingAction === null && task.signerCandidates.length > 0,
    sign: task.signers.some((s) => s.userId === user.id && s.status === 'pending' && s.kind !== 'countersign'),
  };
}

/**
 * One open task of the case: who has it, its signers, and the hand-over actions its step
 * allows — claim (签收), release, transfer (转办), delegate (委托) and take back, add a
 * signer (加签), and sign for a signer.
 */
export function TaskPanel({ task, view, definition, user, write }: { task: TaskDetail; view: CaseView; definition: WorkflowDefinition; user: AuthUser; write: Write }) {
  const { t, tx, label } = useI18n();
  const { api } = useAuth();
  const [dialog, setDialog] = useState<Dialog>(null);
  const [form] = Form.useForm();
  const step = allSteps(definition).get(task.step);
  const can = taskAbilities(task, user, Boolean(step?.countersign));
  const names = new Map<string, TaskCandidate>([...task.handOverTo, ...task.signerCandidates].map((c) => [c.id, c]));
  const who = (id: string | null) => (id === null ? '' : id === user.id ? t('task.you') : (names.get(id)?.displayName ?? t('task.colleague')));

  const holderText =
    task.assigneeId === null ? t('task.unclaimed') : task.ownerId ? t('task.delegatedTo', { who: who(task.assigneeId), owner: who(task.ownerId) }) : t('task.claimedBy', { who: who(task.assigneeId) });

  async function submitDialog() {
    const values = await form.validateFields();
    const run =
      dialog === 'transfer'
        ? () => api.transfer(task.id, values.to, values.reason)
        : dialog === 'delegate'
          ? () => api.delegate(task.id, values.to, values.reason)
          : dialog === 'addSigner'
            ? () => api.addSigner(task.id, values.to, values.position, values.reason)
            : () => api.sign(task.id, values.decision, values.reason || undefined);
    const done = dialog ? t(`task.done.${dialog}`) : undefined;
    setDialog(null);
    form.resetFields();
    await write(run, done);
  }

  const candidates = (dialog === 'addSigner' ? task.signerCandidates : task.handOverTo).map((c) => ({ value: c.id, label: `${c.displayName}（${c.username}）` }));

  return (
    <Card size="small" title={t('task.title', { step: label(step, task.step) })} data-testid={`task-${task.step}`}>
      <Space orientation="vertical" style={{ width: '100%' }}>
        <div>
          <Tag>{tx(`role.${task.role}`)}</Tag>
          <Tag>{tx(`level.${task.level}`)}</Tag>
          <Typography.Text>{holderText}</Typography.Text>
        </div>
        {task.pendingAction ? <Typography.Text type="warning">{t('task.pendingAction')}</Typography.Text> : null}
        {task.signers.length > 0 ? (
          <div>
            <Typography.Text type="secondary">{t('task.signers')}：</Typography.Text>
            {task.signers.map((s) => (
              <Tag key={`${s.userId}-${s.kind}`} color={s.status === 'signed' ? (s.decision === 'disagree' ? 'red' : 'green') : 'default'}>
                {who(s.userId)} · {tx(`signerKind.${s.kind}`)} · {tx(`signerStatus.${s.status}`)}
              </Tag>
            ))}
          </div>
        ) : null}
        <Space wrap>
          {can.claim ? <Button onClick={() => void write(() => api.claim(task.id), t('task.done.claim'))}>{t('task.claim')}</Button> : null}
          {can.release ? <Button onClick={() => void write(() => api.release(task.id), t('task.done.release'))}>{t('task.release')}</Button> : null}
          {can.transfer ? <Button onClick={() => setDialog('transfer')}>{t('task.transfer')}</Button> : null}
          {can.delegate ? <Button onClick={() => setDialog('delegate')}>{t('task.delegate')}</Button> : null}
          {can.takeBack ? <Button onClick={() => void write(() => api.takeBack(task.id), t('task.done.takeBack'))}>{t('task.takeBack')}</Button> : null}
          {can.addSigner ? <Button onClick={() => setDialog('addSigner')}>{t('task.addSigner')}</Button> : null}
          {can.sign ? (
            <Button type="primary" onClick={() => setDialog('sign')}>
              {t('task.sign')}
            </Button>
          ) : null}
        </Space>
        {view.finished ? null : !Object.values(can).some(Boolean) && task.assigneeId !== user.id ? (
          <Typography.Text type="secondary">{t('task.nothingForYou')}</Typography.Text>
        ) : null}
      </Space>
      <Modal
        open={dialog !== null}
        title={dialog ? t(`task.${dialog}`) : ''}
        okText={t('common.ok')}
        cancelText={t('common.cancel')}
        onCancel={() => {
          setDialog(null);
          form.resetFields();
        }}
        onOk={() => void submitDialog().catch(() => undefined)}
        forceRender
      >
        <Form form={form} layout="vertical" name={`task_${task.id}`} initialValues={{ position: 'before', decision: 'agree' }}>
          {dialog === 'sign' ? (
            <Form.Item name="decision" label={t('task.decision')}>
              <Radio.Group
                options={[
                  { value: 'agree', label: t('task.agree') },
                  { value: 'disagree', label: t('task.disagree') },
                ]}
              />
            </Form.Item>
          ) : (
            <Form.Item name="to" label={dialog === 'addSigner' ? t('task.signer') : t('task.colleagueTo')} rules={[{ required: true, message: t('task.chooseColleague') }]}>
              <Select options={candidates} showSearch={{ optionFilterProp: 'label' }} placeholder={t('form.choose')} />
            </Form.Item>
          )}
          {dialog === 'addSigner' ? (
            <Form.Item name="position" label={t('task.position')}>
              <Radio.Group
                options={[
                  { value: 'before', label: t('task.before') },
                  { value: 'after', label: t('task.after') },
                ]}
              />
            </Form.Item>
          ) : null}
          <Form.Item
            name="reason"
            label={dialog === 'sign' ? t('form.comment') : t('task.reason')}
            rules={dialog === 'sign' ? [{ max: 2000, message: t('form.tooLong', { max: 2000 }) }] : [{ required: true, whitespace: true, message: t('task.reasonRequired') }, { max: 2000, message: t('form.tooLong', { max: 2000 }) }]}
          >
            <Input.TextArea autoSize={{ minRows: 2 }} />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
