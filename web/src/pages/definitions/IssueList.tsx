import { Empty, List, Tag, Typography } from 'antd';
import type { DefinitionIssue } from '../../api/definition-types';
import { useI18n } from '../../i18n/i18n';

/**
 * The validator's issues beside the source, errors first, each with its line and column:
 * clicking one puts the editor's cursor there. `null`: not validated since the last change.
 */
export function IssueList({ issues, onJump }: { issues: readonly DefinitionIssue[] | null; onJump(issue: DefinitionIssue): void }) {
  const { t } = useI18n();
  if (issues === null) return <Typography.Text type="secondary">{t('defs.notValidated')}</Typography.Text>;
  if (issues.length === 0) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('defs.noIssues')} />;
  const sorted = [...issues].sort((a, b) => (a.severity === b.severity ? (a.line ?? 0) - (b.line ?? 0) : a.severity === 'error' ? -1 : 1));
  return (
    <List
      size="small"
      data-testid="issue-list"
      dataSource={sorted}
      renderItem={(issue, index) => (
        <List.Item
          key={index}
          data-testid="issue"
          role="button"
          tabIndex={0}
          style={{ cursor: issue.line !== undefined ? 'pointer' : 'default', alignItems: 'flex-start' }}
          onClick={() => onJump(issue)}
          onKeyDown={(event) => {
            if (event.key === 'Enter') onJump(issue);
          }}
        >
          <div style={{ width: '100%' }}>
            <Tag color={issue.severity === 'error' ? 'red' : 'orange'}>{t(issue.severity === 'error' ? 'defs.error' : 'defs.warning')}</Tag>
            {issue.line !== undefined ? (
              <Typography.Text code data-testid="issue-position">
                {issue.line}:{issue.column ?? 1}
              </Typography.Text>
            ) : null}
            {issue.path ? <Typography.Text type="secondary"> {issue.path}</Typography.Text> : null}
            <div style={{ wordBreak: 'break-word' }}>{issue.message}</div>
          </div>
        </List.Item>
      )}
    />
  );
}
