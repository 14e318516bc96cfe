import { Select, Table, Tag } from 'antd';
import { useI18n } from '../../i18n/i18n';

/**
 * The step mapping of a migration: each step of the old version and the step of the new
 * one its cases go to. It starts as `defaultMapping` (the step of the same key; none where
 * the new version has no such step).
 */
export function MappingEditor({
  mapping,
  targets,
  labels,
  onChange,
}: {
  mapping: Record<string, string>;
  /** The new version's steps. */
  targets: string[];
  /** Step key → what to show (the label in the current language, then the key). */
  labels: (version: 'from' | 'to', key: string) => string;
  onChange(mapping: Record<string, string>): void;
}) {
  const { t } = useI18n();
  const options = [{ value: '', label: t('defs.unmapped') }, ...targets.map((key) => ({ value: key, label: `${labels('to', key)} (${key})` }))];
  return (
    <Table
      size="small"
      rowKey="from"
      pagination={false}
      data-testid="mapping-editor"
      dataSource={Object.entries(mapping).map(([from, to]) => ({ from, to }))}
      columns={[
        { title: t('defs.mapping.from'), dataIndex: 'from', render: (from: string) => `${labels('from', from)} (${from})` },
        {
          title: t('defs.mapping.to'),
          dataIndex: 'to',
          render: (to: string, row) => (
            <Select
              aria-label={t('defs.mapping.toFor', { step: row.from })}
              data-testid={`mapping-${row.from}`}
              style={{ minWidth: 240 }}
              value={to}
              options={options}
              onChange={(value: string) => onChange({ ...mapping, [row.from]: value })}
            />
          ),
        },
        {
          title: '',
          key: 'note',
          render: (_, row) => (row.to === '' ? <Tag color="red">{t('defs.mapping.none')}</Tag> : row.to !== row.from ? <Tag color="blue">{t('defs.mapping.renamed')}</Tag> : null),
        },
      ]}
    />
  );
}
