import { ExperimentOutlined } from '@ant-design/icons';
import { Button, Card, Col, Input, Row, Space, Statistic, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import type { WhatIfCase, WhatIfReport } from '../../api/definition-types';
import { useAuth } from '../../auth/auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useI18n } from '../../i18n/i18n';
import { caseIdsIn } from './case-ids';

const OUTCOME_COLOR: Record<WhatIfCase['outcome'], string> = { same: 'green', different: 'orange', refused: 'red', skipped: 'default' };

/** What-if on the stored draft: every case of the workflow (or the ids pasted) replayed on it. */
export function WhatIfPanel({ workflowKey }: { workflowKey: string }) {
  const { t, tx } = useI18n();
  const { api } = useAuth();
  const [ids, setIds] = useState('');
  const [report, setReport] = useState<WhatIfReport | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [running, setRunning] = useState(false);

  async function run() {
    setRunning(true);
    setError(null);
    try {
      setReport(await api.whatIf(workflowKey, { caseIds: caseIdsIn(ids) }));
    } catch (e) {
      setError(e);
    } finally {
      setRunning(false);
    }
  }

  const state = (s?: { status: string; steps: string[] }) => (s ? `${s.steps.join('、') || '—'}（${tx(`caseStatus.${s.status}`)}）` : '—');
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }} data-testid="what-if-panel">
      <Typography.Paragraph type="secondary">{t('defs.whatIfHint')}</Typography.Paragraph>
      <Input.TextArea rows={2} value={ids} onChange={(e) => setIds(e.target.value)} placeholder={t('defs.caseIdsPlaceholder')} aria-label={t('defs.caseIds')} />
      <Button type="primary" icon={<ExperimentOutlined />} loading={running} onClick={() => void run()} data-testid="what-if-run">
        {running ? t('defs.whatIfRunning') : t('defs.runWhatIf')}
      </Button>
      {error ? <ErrorAlert error={error} /> : null}
      {report ? (
        <>
          <Card size="small">
            <Row gutter={16}>
              {(['cases', 'same', 'different', 'refused', 'skipped', 'overdueNow', 'overdueUnderDraft'] as const).map((name) => (
                <Col key={name} xs={12} md={6} lg={3}>
                  <Statistic title={t(`defs.whatIf.${name}`)} value={report.totals[name]} />
                </Col>
              ))}
            </Row>
          </Card>
          <Table<WhatIfCase>
            size="small"
            rowKey="caseId"
            dataSource={report.cases}
            pagination={{ pageSize: 50, hideOnSinglePage: true }}
            locale={{ emptyText: t('defs.noCases') }}
            data-testid="what-if-table"
            columns={[
              { title: t('defs.case'), key: 'case', render: (_, c) => <Link to={`/cases/${c.caseId}`}>{c.title ?? c.caseId.slice(0, 8)}</Link> },
              { title: t('defs.version'), dataIndex: 'version', render: (v: number | null) => (v === null ? '—' : `v${v}`) },
              { title: t('defs.outcome'), dataIndex: 'outcome', render: (o: WhatIfCase['outcome']) => <Tag color={OUTCOME_COLOR[o]}>{t(`defs.outcome.${o}`)}</Tag> },
              {
                title: t('defs.whatIf.detail'),
                key: 'detail',
                render: (_, c) =>
                  c.outcome === 'different' ? (
                    <span>
                      {state(c.now)} → {state(c.draft)}
                    </span>
                  ) : c.outcome === 'refused' && c.refusedAt ? (
                    <span>
                      #{c.refusedAt.seq} {c.refusedAt.step ?? ''}
                      {c.refusedAt.action ? `.${c.refusedAt.action}` : ''}: <Typography.Text code>{c.refusedAt.code}</Typography.Text> {c.refusedAt.reason}
                    </span>
                  ) : (
                    (c.reason ?? '')
                  ),
              },
              { title: t('defs.whatIf.overdueNow'), key: 'overdueNow', render: (_, c) => c.overdueNow.map((o) => o.step).join('、') || '—' },
              { title: t('defs.whatIf.overdueUnderDraft'), key: 'overdueDraft', render: (_, c) => (c.overdueUnderDraft === null ? '—' : c.overdueUnderDraft.map((o) => o.step).join('、') || '—') },
            ]}
          />
        </>
      ) : null}
    </Space>
  );
}
