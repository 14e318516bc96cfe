import { CheckCircleOutlined, CloseCircleOutlined } from '@ant-design/icons';
import { Card, Tag, Timeline, Tooltip, Typography } from 'antd';
import type { FieldDefinition, HistoryEntry, VerifyResult, WorkflowDefinition } from '../../api/types';
import { formatDateTime } from '../../components/format';
import { useI18n } from '../../i18n/i18n';
import { describeEvent } from './history-text';

/** The case's history, newest first, under the mark of its verification (GET …/history/verify). */
export function CaseTimeline({ history, verify, definition, fields }: { history: HistoryEntry[]; verify: VerifyResult | null; definition: WorkflowDefinition; fields: Record<string, FieldDefinition> }) {
  const i18n = useI18n();
  const { t, locale } = i18n;
  const verified = verify?.valid === true && verify.replayMatches;
  const mark = !verify ? (
    <Tag>{t('timeline.notVerified')}</Tag>
  ) : verified ? (
    <Tooltip title={t('timeline.verifiedHint')}>
      <Tag color="green" icon={<CheckCircleOutlined />} data-testid="chain-verified">
        {t('timeline.verified', { count: verify.length })}
      </Tag>
    </Tooltip>
  ) : (
    <Tag color="red" icon={<CloseCircleOutlined />} data-testid="chain-broken">
      {verify.valid ? t('timeline.replayMismatch') : t('timeline.broken', { seq: verify.firstBrokenSeq ?? '?' })}
    </Tag>
  );

  return (
    <Card size="small" title={t('timeline.title')} extra={mark} data-testid="timeline">
      <Timeline
        items={[...history].reverse().map((entry) => {
          const text = describeEvent(entry, definition, fields, i18n);
          const actor = entry.actor.kind === 'system' ? t('timeline.system') : (entry.actor.username ?? '');
          return {
            key: entry.seq,
            color: text.color,
            content: (
              <div data-testid="timeline-entry">
                <div>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {formatDateTime(entry.at, locale)}
                  </Typography.Text>
                </div>
                <Typography.Text strong>{text.title}</Typography.Text>
                {text.step ? <Typography.Text type="secondary">（{text.step}）</Typography.Text> : null}
                <div>
                  <Typography.Text type="secondary">
                    {actor}
                    {entry.actor.onBehalfOf ? t('timeline.onBehalf') : ''}
                  </Typography.Text>
                </div>
                {text.comment ? <div>{t('timeline.comment', { comment: text.comment })}</div> : null}
                {text.data.length > 0 ? (
                  <Typography.Paragraph type="secondary" style={{ marginBottom: 0, fontSize: 12 }} ellipsis={{ rows: 3, expandable: true, symbol: t('common.more') }}>
                    {text.data.join('；')}
                  </Typography.Paragraph>
                ) : null}
              </div>
            ),
          };
        })}
      />
    </Card>
  );
}
