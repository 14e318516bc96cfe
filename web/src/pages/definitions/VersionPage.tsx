import { Breadcrumb, Card, Descriptions, Skeleton, Space, Spin, Typography } from 'antd';
import { lazy, Suspense } from 'react';
import { Link, useParams } from 'react-router';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatDateTime } from '../../components/format';
import { useLoad } from '../../components/hooks';
import { useI18n } from '../../i18n/i18n';
import { VersionStatusTag } from './VersionStatusTag';

const BpmnDiagram = lazy(() => import('./BpmnDiagram'));

/** A published version: its status and cases, its process diagram (bpmn-js viewer) and its text. */
export default function VersionPage() {
  const { key = '', version = '' } = useParams();
  const number = Number(version);
  const { t, label, locale } = useI18n();
  const stored = useLoad((api) => api.definitionVersion(key, number), [key, number]);
  const diagram = useLoad((api) => api.exportDefinition(key, 'bpmn', number), [key, number]);

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }} data-testid="version-page">
      <Breadcrumb items={[{ title: <Link to="/admin/definitions">{t('defs.title')}</Link> }, { title: <Link to={`/admin/definitions/${key}`}>{key}</Link> }, { title: `v${version}` }]} />
      {stored.error ? <ErrorAlert error={stored.error} /> : null}
      {stored.data ? (
        <>
          <Typography.Title level={3} style={{ margin: 0 }}>
            {label(stored.data.definition)} v{stored.data.version}
          </Typography.Title>
          <Descriptions size="small" bordered column={{ xs: 1, md: 3 }}>
            <Descriptions.Item label={t('defs.status')}>
              <VersionStatusTag status={stored.data.status} />
            </Descriptions.Item>
            <Descriptions.Item label={t('defs.publishedAt')}>{formatDateTime(stored.data.publishedAt, locale)}</Descriptions.Item>
            <Descriptions.Item label={t('defs.cases')}>{t('defs.casesShort', { running: stored.data.running, total: stored.data.cases })}</Descriptions.Item>
          </Descriptions>
        </>
      ) : stored.loading ? (
        <Skeleton active />
      ) : null}
      <Card size="small" title={t('defs.diagram')}>
        {diagram.error ? <ErrorAlert error={diagram.error} /> : null}
        {diagram.data ? (
          <Suspense fallback={<Spin />}>
            <BpmnDiagram xml={diagram.data} height={480} />
          </Suspense>
        ) : diagram.loading ? (
          <Spin />
        ) : null}
      </Card>
      {stored.data ? (
        <Card size="small" title={t('defs.sourceOf', { format: stored.data.sourceFormat.toUpperCase() })}>
          <pre style={{ maxHeight: 480, overflow: 'auto', margin: 0, fontSize: 12 }} data-testid="version-source">
            {stored.data.source}
          </pre>
        </Card>
      ) : null}
    </Space>
  );
}
