import { Button, Empty, Form, Input, Modal, Popconfirm, Select, Space, Switch, Table, Tag, Typography, App } from 'antd';
import { useState } from 'react';
import type { ManagedUser, Role, UserInput } from '../../api/types';
import { useAuth } from '../../auth/auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useLoad } from '../../components/hooks';
import { useI18n } from '../../i18n/i18n';

export const ROLES: readonly Role[] = ['officer', 'reviewer', 'approver', 'supervisor', 'administrator', 'auditor'];
const PERMISSIONS = ['reveal-resident-id'];

type Editing = { mode: 'create' } | { mode: 'edit'; user: ManagedUser } | { mode: 'password'; user: ManagedUser };

/** Users and roles inside the administrator's jurisdiction: create, edit roles and jurisdiction, deactivate, reset the password, unlock. */
export default function UsersPage() {
  const { t, tx } = useI18n();
  const { api } = useAuth();
  const { message } = App.useApp();
  const users = useLoad((a) => a.users(), []);
  const [editing, setEditing] = useState<Editing | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [search, setSearch] = useState('');

  async function run(action: () => Promise<unknown>, done: string) {
    setError(null);
    try {
      await action();
      void message.success(done);
      await users.reload();
      return true;
    } catch (caught) {
      setError(caught);
      return false;
    }
  }

  const shown = (users.data ?? []).filter((u) => !search || u.username.includes(search) || u.displayName.includes(search));
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Space style={{ justifyContent: 'space-between', width: '100%' }} wrap>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t('users.title')}
        </Typography.Title>
        <Space>
          <Input.Search allowClear placeholder={t('users.search')} aria-label={t('users.search')} onSearch={setSearch} style={{ width: 200 }} />
          <Button type="primary" onClick={() => setEditing({ mode: 'create' })} data-testid="create-user">
            {t('users.create')}
          </Button>
        </Space>
      </Space>
      {error ? <ErrorAlert error={error} onClose={() => setError(null)} /> : null}
      {users.error ? <ErrorAlert error={users.error} /> : null}
      <Table<ManagedUser>
        rowKey="id"
        size="small"
        loading={users.loading}
        dataSource={shown}
        data-testid="users-table"
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        locale={{ emptyText: <Empty description={t('users.empty')} /> }}
        columns={[
          { title: t('users.username'), dataIndex: 'username' },
          { title: t('users.displayName'), dataIndex: 'displayName' },
          { title: t('users.roles'), dataIndex: 'roles', render: (roles: Role[]) => roles.map((r) => <Tag key={r}>{tx(`role.${r}`)}</Tag>) },
          { title: t('users.jurisdiction'), dataIndex: 'jurisdictionCode' },
          {
            title: t('users.state'),
            render: (_, u) => (
              <Space size={2}>
                {u.active ? <Tag color="green">{t('users.active')}</Tag> : <Tag>{t('users.inactive')}</Tag>}
                {u.locked ? <Tag color="red">{t('users.locked')}</Tag> : null}
              </Space>
            ),
          },
          {
            title: t('users.actions'),
            render: (_, u) => (
              <Space size={0} wrap>
                <Button type="link" size="small" onClick={() => setEditing({ mode: 'edit', user: u })}>
                  {t('users.edit')}
                </Button>
                <Button type="link" size="small" onClick={() => setEditing({ mode: 'password', user: u })}>
                  {t('users.resetPassword')}
                </Button>
                {u.locked ? (
                  <Button type="link" size="small" onClick={() => void run(() => api.unlockUser(u.id), t('users.unlocked'))}>
                    {t('users.unlock')}
                  </Button>
                ) : null}
                <Popconfirm
                  title={u.active ? t('users.deactivateConfirm', { name: u.username }) : t('users.activateConfirm', { name: u.username })}
                  okText={t('common.ok')}
                  cancelText={t('common.cancel')}
                  onConfirm={() => run(() => api.updateUser(u.id, { active: !u.active }), t('users.saved'))}
                >
                  <Button type="link" size="small" danger={u.active}>
                    {u.active ? t('users.deactivate') : t('users.activate')}
                  </Button>
                </Popconfirm>
              </Space>
            ),
          },
        ]}
      />
      {editing ? (
        <UserModal
          editing={editing}
          onCancel={() => setEditing(null)}
          onSave={async (values) => {
            const ok = await run(
              () =>
                editing.mode === 'create'
                  ? api.createUser(values)
                  : editing.mode === 'edit'
                    ? api.updateUser(editing.user.id, values)
                    : api.resetPassword(editing.user.id, values.password ?? ''),
              t('users.saved'),
            );
            if (ok) setEditing(null);
          }}
        />
      ) : null}
    </Space>
  );
}

function UserModal({ editing, onCancel, onSave }: { editing: Editing; onCancel(): void; onSave(values: UserInput): Promise<void> }) {
  const { t, tx } = useI18n();
  const [form] = Form.useForm<UserInput>();
  const [busy, setBusy] = useState(false);
  const user = editing.mode === 'create' ? undefined : editing.user;
  const title = editing.mode === 'create' ? t('users.create') : editing.mode === 'edit' ? t('users.editTitle', { name: user!.username }) : t('users.resetTitle', { name: user!.username });
  const password = (
    <Form.Item name="password" label={t('users.password')} rules={[{ required: true, min: 10, message: t('users.passwordRule') }]} extra={t('users.passwordRule')}>
      <Input.Password autoComplete="new-password" />
    </Form.Item>
  );
  return (
    <Modal
      open
      title={title}
      okText={t('common.ok')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onCancel={onCancel}
      onOk={async () => {
        const values = await form.validateFields();
        setBusy(true);
        try {
          // An emptied address is removed on a change, and simply not given on a creation.
          const { email, ...rest } = values;
          await onSave(email ? values : editing.mode === 'edit' ? { ...rest, email: null } : rest);
        } finally {
          setBusy(false);
        }
      }}
    >
      <Form form={form} layout="vertical" initialValues={user ? { displayName: user.displayName, roles: user.roles, jurisdictionCode: user.jurisdictionCode, email: user.email ?? '', permissions: user.permissions } : { roles: [], permissions: [] }}>
        {editing.mode === 'password' ? (
          password
        ) : (
          <>
            {editing.mode === 'create' ? (
              <Form.Item name="username" label={t('users.username')} rules={[{ required: true, pattern: /^[a-z0-9][a-z0-9._-]{2,63}$/, message: t('users.usernameRule') }]}>
                <Input autoComplete="off" />
              </Form.Item>
            ) : null}
            <Form.Item name="displayName" label={t('users.displayName')} rules={[{ required: true, whitespace: true, max: 100 }]}>
              <Input />
            </Form.Item>
            {editing.mode === 'create' ? password : null}
            <Form.Item name="roles" label={t('users.roles')} rules={[{ required: true, type: 'array', min: 1, message: t('users.rolesRule') }]}>
              <Select mode="multiple" options={ROLES.map((r) => ({ value: r, label: tx(`role.${r}`) }))} />
            </Form.Item>
            <Form.Item name="jurisdictionCode" label={t('users.jurisdiction')} rules={[{ required: true, pattern: /^\d{6}(\d{3}(\d{3})?)?$/, message: t('users.jurisdictionRule') }]}>
              <Input placeholder="440781" />
            </Form.Item>
            <Form.Item name="email" label={t('users.email')} rules={[{ type: 'email', message: t('users.emailRule') }]}>
              <Input />
            </Form.Item>
            <Form.Item name="permissions" label={t('users.permissions')}>
              <Select mode="multiple" options={PERMISSIONS.map((p) => ({ value: p, label: tx(`permission.${p}`) }))} />
            </Form.Item>
            {editing.mode === 'edit' ? (
              <Form.Item name="active" label={t('users.active')} valuePropName="checked" initialValue={user!.active}>
                <Switch />
              </Form.Item>
            ) : null}
          </>
        )}
      </Form>
    </Modal>
  );
}
