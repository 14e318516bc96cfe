import { GlobalOutlined, LoginOutlined } from '@ant-design/icons';
import { Button, Card, Empty, Layout, List, Modal, Pagination, Select, Skeleton, Space, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import type { PublicNotice } from '../../api/types';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useLoad } from '../../components/hooks';
import { useI18n } from '../../i18n/i18n';
import { ObjectionForm } from './ObjectionForm';

/**
 * Jiangmen's counties (districts and county-level cities): the board takes a county code.
 * Division names are proper names, the same in both languages. The board has no public list
 * of divisions, so towns are offered from the notices of the chosen county.
 */
export const COUNTIES: readonly { code: string; name: string }[] = [
  { code: '440703', name: '蓬江区' },
  { code: '440704', name: '江海区' },
  { code: '440705', name: '新会区' },
  { code: '440781', name: '台山市' },
  { code: '440783', name: '开平市' },
  { code: '440784', name: '鹤山市' },
  { code: '440785', name: '恩平市' },
];

const PAGE_SIZE = 20;
/** With a county chosen, its notices are read in one page so that its towns can be offered. */
const COUNTY_PAGE_SIZE = 100;

/** The public notice board (公示) and the objection form: no login, usable on a phone. */
export default function PublicBoardPage() {
  const { t, locale, setLocale } = useI18n();
  const [county, setCounty] = useState<string | undefined>();
  const [town, setTown] = useState<string | undefined>();
  const [page, setPage] = useState(1);
  const [objecting, setObjecting] = useState<PublicNotice | null>(null);
  const board = useLoad(
    (api) => api.notices({ county, page: county ? 1 : page, pageSize: county ? COUNTY_PAGE_SIZE : PAGE_SIZE }),
    [county, page],
  );
  const towns = useMemo(() => [...new Set((board.data?.items ?? []).map((n) => n.town))].sort(), [board.data]);
  const items = (board.data?.items ?? []).filter((n) => !town || n.town === town);

  return (
    <Layout style={{ minHeight: '100vh', background: '#fafafa' }}>
      <Layout.Header style={{ background: '#fff', borderBottom: '3px solid #b71c1c', display: 'flex', alignItems: 'center', gap: 8, paddingInline: 16, height: 'auto', lineHeight: 1.4, paddingBlock: 12 }}>
        <Typography.Title level={4} style={{ margin: 0, flex: 1, color: '#b71c1c' }}>
          {t('public.title')}
        </Typography.Title>
        <Button type="text" size="small" icon={<GlobalOutlined />} onClick={() => setLocale(locale === 'zh-CN' ? 'en-US' : 'zh-CN')}>
          {locale === 'zh-CN' ? 'EN' : '中文'}
        </Button>
        <Link to="/login">
          <Button type="link" size="small" icon={<LoginOutlined />}>
            {t('public.staffLogin')}
          </Button>
        </Link>
      </Layout.Header>
      <Layout.Content style={{ padding: 12, maxWidth: 960, width: '100%', margin: '0 auto' }}>
        <Typography.Paragraph type="secondary">{t('public.intro')}</Typography.Paragraph>
        <Space wrap style={{ marginBottom: 12, width: '100%' }}>
          <Select
            allowClear
            style={{ minWidth: 160 }}
            placeholder={t('public.allCounties')}
            aria-label={t('public.county')}
            value={county}
            options={COUNTIES.map((c) => ({ value: c.code, label: c.name }))}
            onChange={(value) => {
              setCounty(value);
              setTown(undefined);
              setPage(1);
            }}
            data-testid="board-county"
          />
          <Select
            allowClear
            style={{ minWidth: 180 }}
            placeholder={county ? t('public.allTowns') : t('public.chooseCountyFirst')}
            aria-label={t('public.town')}
            disabled={!county}
            value={town}
            options={towns.map((name) => ({ value: name, label: name }))}
            onChange={setTown}
            data-testid="board-town"
          />
        </Space>
        {board.error ? <ErrorAlert error={board.error} /> : null}
        {board.loading && !board.data ? (
          <Skeleton active />
        ) : (
          <List
            loading={board.loading}
            dataSource={items}
            locale={{ emptyText: <Empty description={county ? t('public.emptyFiltered') : t('public.empty')} /> }}
            renderItem={(notice) => (
              <List.Item style={{ paddingBlock: 6 }}>
                <Card size="small" style={{ width: '100%' }} data-testid="notice">
                  <Space orientation="vertical" size={4} style={{ width: '100%' }}>
                    <Space wrap>
                      <Typography.Text strong style={{ fontSize: 16 }} data-testid="notice-name">
                        {notice.householdName}
                      </Typography.Text>
                      <Tag color="red">{notice.proposal}</Tag>
                    </Space>
                    <Typography.Text type="secondary">
                      {notice.town}
                      {notice.village ? ` · ${notice.village}` : ''}
                    </Typography.Text>
                    <Typography.Text>
                      {t('public.period')}: {notice.period.start} – {notice.period.end ?? t('public.noEnd')}
                    </Typography.Text>
                    <Button onClick={() => setObjecting(notice)} data-testid="object-button">
                      {t('public.object')}
                    </Button>
                  </Space>
                </Card>
              </List.Item>
            )}
          />
        )}
        {!county && (board.data?.total ?? 0) > PAGE_SIZE ? (
          <Pagination simple current={page} pageSize={PAGE_SIZE} total={board.data?.total ?? 0} onChange={setPage} style={{ textAlign: 'center', marginTop: 12 }} />
        ) : null}
      </Layout.Content>
      <Modal
        open={objecting !== null}
        title={t('public.objectionTitle', { name: objecting?.householdName ?? '' })}
        footer={null}
        onCancel={() => setObjecting(null)}
        destroyOnHidden
      >
        {objecting ? <ObjectionForm notice={objecting} onDone={() => setObjecting(null)} /> : null}
      </Modal>
    </Layout>
  );
}
