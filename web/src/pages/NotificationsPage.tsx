import { Badge, Button, Card, Empty, List, Segmented, Space, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router';
import type { NotificationItem } from '../api/types';
import { useAuth } from '../auth/auth';
import { ErrorAlert } from '../components/ErrorAlert';
import { formatDateTime } from '../components/format';
import { useI18n } from '../i18n/i18n';

/** The user's in-app notifications (GET /api/notifications): reminders, escalations, results. */
export default function NotificationsPage() {
  const { t, locale } = useI18n();
  const { api } = useAuth();
  const [unreadOnly, setUnreadOnly] = useState(false);
  const [items, setItems] = useState<NotificationItem[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [unread, setUnread] = useState(0);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);

  const load = useCallback(
    async (more: string | null) => {
      setLoading(true);
      try {
        const page = await api.notifications({ unread: unreadOnly || undefined, cursor: more ?? undefined });
        setItems((previous) => (more ? [...previous, ...page.items] : page.items));
        setCursor(page.nextCursor);
        setUnread(page.unreadCount);
        setError(null);
      } catch (caught) {
        setError(caught);
      } finally {
        setLoading(false);
      }
    },
    [api, unreadOnly],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  async function markRead(item: NotificationItem) {
    try {
      await api.readNotification(item.id);
      setItems((list) => list.map((n) => (n.id === item.id ? { ...n, readAt: new Date().toISOString() } : n)));
      setUnread((n) => Math.max(0, n - 1));
    } catch (caught) {
      setError(caught);
    }
  }

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Space wrap style={{ justifyContent: 'space-between', width: '100%' }}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t('notifications.title')} <Badge count={unread} />
        </Typography.Title>
        <Space>
          <Segmented
            value={unreadOnly ? 'unread' : 'all'}
            onChange={(value) => setUnreadOnly(value === 'unread')}
            options={[
              { value: 'all', label: t('notifications.all') },
              { value: 'unread', label: t('notifications.unread') },
            ]}
          />
          <Button
            disabled={unread === 0}
            onClick={async () => {
              try {
                await api.readAllNotifications();
                await load(null);
              } catch (caught) {
                setError(caught);
              }
            }}
          >
            {t('notifications.readAll')}
          </Button>
        </Space>
      </Space>
      {error ? <ErrorAlert error={error} /> : null}
      <Card size="small">
        <List
          loading={loading}
          dataSource={items}
          locale={{ emptyText: <Empty description={unreadOnly ? t('notifications.emptyUnread') : t('notifications.empty')} /> }}
          renderItem={(item) => (
            <List.Item
              actions={[
                item.caseId ? (
                  <Link key="open" to={`/cases/${item.caseId}`}>
                    {t('notifications.openCase')}
                  </Link>
                ) : null,
                item.readAt ? null : (
                  <Button key="read" type="link" size="small" onClick={() => void markRead(item)}>
                    {t('notifications.markRead')}
                  </Button>
                ),
              ].filter(Boolean)}
            >
              <List.Item.Meta
                title={
                  <Space>
                    {item.readAt ? null : <Badge status="processing" />}
                    <Typography.Text strong={!item.readAt}>{item.title}</Typography.Text>
                  </Space>
                }
                description={
                  <>
                    <div>{item.body}</div>
                    <Typography.Text type="secondary">{formatDateTime(item.createdAt, locale)}</Typography.Text>
                  </>
                }
              />
            </List.Item>
          )}
        />
        {cursor ? (
          <Button block onClick={() => void load(cursor)} loading={loading}>
            {t('inbox.loadMore')}
          </Button>
        ) : null}
      </Card>
    </Space>
  );
}
