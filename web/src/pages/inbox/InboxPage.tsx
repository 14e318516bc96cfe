import { CheckOutlined, ReloadOutlined } from '@ant-design/icons';
import { Button, Checkbox, DatePicker, Empty, Input, Segmented, Select, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import type { Dayjs } from 'dayjs';
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import type { InboxItem, InboxQuery, WorkflowSummary, WorkflowTaskSteps } from '../../api/types';
import { useAuth } from '../../auth/auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useJurisdictionName, useLoad } from '../../components/hooks';
import { DeadlineText } from '../../deadlines/DeadlineText';
import { useWorkingCalendar } from '../../deadlines/use-working-days';
import { yearsBetween } from '../../deadlines/working-days';
import { useI18n } from '../../i18n/i18n';
import { BatchApproveModal } from './BatchApproveModal';
import { filterByView, type InboxView } from './inbox-view';
import { parseStepValue, stepOptions, stepValue } from './step-options';

interface Filters {
  workflow?: string;
  step?: string;
  overdue: boolean;
  due: [Dayjs | null, Dayjs | null] | null;
  q: string;
}

const EMPTY_FILTERS: Filters = { overdue: false, due: null, q: '' };
const PAGE_SIZE = 50;

const ASSIGNMENT_COLOR: Record<InboxItem['assignment'], string> = { assigned: 'blue', offered: 'orange', signer: 'purple', 'delegated-away': 'default' };

function isFiltered(filters: Filters): boolean {
  return Boolean(filters.workflow || filters.step || filters.overdue || filters.due || filters.q.trim());
}

function toQuery(filters: Filters): InboxQuery {
  return {
    workflow: filters.workflow,
    step: filters.step,
    overdue: filters.overdue || undefined,
    dueAfter: filters.due?.[0]?.startOf('day').toISOString(),
    dueBefore: filters.due?.[1]?.endOf('day').toISOString(),
    q: filters.q.trim() || undefined,
    limit: PAGE_SIZE,
  };
}

/**
 * The officer's inbox (GET /api/tasks): tasks soonest due first, so the overdue ones lead;
 * filters, search by household name, pages of 50. Keyboard: ↑/↓ move through the tasks,
 * Enter opens the case, Space ticks the task for a batch approval.
 */
export default function InboxPage() {
  const { t, tx, label, locale } = useI18n();
  const { api } = useAuth();
  const navigate = useNavigate();
  const [filters, setFilters] = useState<Filters>(EMPTY_FILTERS);
  const [search, setSearch] = useState('');
  const [view, setView] = useState<InboxView>('all');
  const [items, setItems] = useState<InboxItem[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [selected, setSelected] = useState<string[]>([]);
  const [active, setActive] = useState(0);
  // The time the days left are counted from: when the tasks were read.
  const [now, setNow] = useState(() => new Date());
  const [batchOpen, setBatchOpen] = useState(false);
  const tableRef = useRef<HTMLDivElement>(null);
  const workflows = useLoad<WorkflowSummary[]>((a) => a.workflows(), []);
  // Every step the user's tasks can be in, from the definitions, for the step filter.
  const taskSteps = useLoad<WorkflowTaskSteps[]>((a) => a.workflowSteps(), []);

  const load = useCallback(
    async (more: string | null) => {
      setLoading(true);
      setError(null);
      try {
        const page = await api.inbox({ ...toQuery(filters), cursor: more ?? undefined });
        setItems((previous) => (more ? [...previous, ...page.items] : page.items));
        setCursor(page.nextCursor);
        setNow(new Date());
        if (!more) {
          setSelected([]);
          setActive(0);
        }
      } catch (caught) {
        setError(caught);
      } finally {
        setLoading(false);
      }
    },
    [api, filters],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  const shown = useMemo(() => filterByView(items, view), [items, view]);
  const calendar = useWorkingCalendar(
    useMemo(() => shown.flatMap((item) => (item.dueAt ? yearsBetween(now, new Date(item.dueAt)) : [])), [shown, now]),
  );
  const filtered = isFiltered(filters);

  const open = (item: InboxItem) => navigate(`/cases/${item.caseId}`);

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.target instanceof HTMLInputElement && event.target.type !== 'checkbox') return;
    if (shown.length === 0) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      setActive((index) => Math.min(shown.length - 1, Math.max(0, index + (event.key === 'ArrowDown' ? 1 : -1))));
    } else if (event.key === 'Enter') {
      event.preventDefault();
      open(shown[Math.min(active, shown.length - 1)]);
    } else if (event.key === ' ') {
      event.preventDefault();
      const id = shown[Math.min(active, shown.length - 1)].taskId;
      setSelected((current) => (current.includes(id) ? current.filter((x) => x !== id) : [...current, id]));
    }
  }

  useEffect(() => {
    tableRef.current?.querySelector(`[data-row-index="${active}"]`)?.scrollIntoView?.({ block: 'nearest' });
  }, [active]);

  const columns: TableColumnsType<InboxItem> = [
    {
      title: t('inbox.household'),
      key: 'title',
      render: (_, item) => (
        <Link to={`/cases/${item.caseId}`} onClick={(event) => event.stopPropagation()}>
          {item.title ?? t('inbox.untitled')}
        </Link>
      ),
    },
    { title: t('inbox.workflow'), key: 'workflow', render: (_, item) => item.workflow.label },
    { title: t('inbox.step'), key: 'step', render: (_, item) => item.step.label ?? item.step.key },
    { title: t('inbox.area'), key: 'area', render: (_, item) => <AreaName code={item.caseJurisdictionCode} /> },
    {
      title: t('inbox.due'),
      key: 'due',
      render: (_, item) => <DeadlineText dueAt={item.dueAt} calendar={calendar} now={now} />,
    },
    {
      title: t('inbox.assignment'),
      key: 'assignment',
      render: (_, item) => <Tag color={ASSIGNMENT_COLOR[item.assignment]}>{tx(`assignment.${item.assignment}`)}</Tag>,
    },
  ];

  const selectedItems = items.filter((item) => selected.includes(item.taskId));

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t('inbox.title')}
      </Typography.Title>
      <Space wrap>
        <Select
          allowClear
          placeholder={t('inbox.filterWorkflow')}
          style={{ width: 220 }}
          value={filters.workflow}
          loading={workflows.loading}
          options={(workflows.data ?? []).map((w) => ({ value: w.key, label: locale === 'en-US' && w.labelEn ? w.labelEn : w.label }))}
          onChange={(workflow) => setFilters((f) => ({ ...f, workflow, step: undefined }))}
          aria-label={t('inbox.filterWorkflow')}
        />
        {/* A step belongs to a procedure: choosing one sets the workflow filter too. */}
        <Select<string>
          allowClear
          placeholder={t('inbox.filterStep')}
          style={{ width: 200 }}
          popupMatchSelectWidth={false}
          value={stepValue(filters.workflow, filters.step)}
          loading={taskSteps.loading}
          options={stepOptions(taskSteps.data ?? [], filters.workflow, label)}
          onChange={(value) => setFilters((f) => (value ? { ...f, ...parseStepValue(value) } : { ...f, step: undefined }))}
          aria-label={t('inbox.filterStep')}
          notFoundContent={t('inbox.noSteps')}
        />
        <DatePicker.RangePicker
          value={filters.due}
          onChange={(due) => setFilters((f) => ({ ...f, due }))}
          placeholder={[t('inbox.dueFrom'), t('inbox.dueTo')]}
          aria-label={t('inbox.filterDue')}
        />
        <Checkbox checked={filters.overdue} onChange={(event) => setFilters((f) => ({ ...f, overdue: event.target.checked }))}>
          {t('inbox.onlyOverdue')}
        </Checkbox>
        <Input.Search
          allowClear
          placeholder={t('inbox.search')}
          style={{ width: 220 }}
          value={search}
          onChange={(event) => setSearch(event.target.value)}
          onSearch={(q) => setFilters((f) => ({ ...f, q }))}
          aria-label={t('inbox.search')}
        />
        {filtered ? (
          <Button
            onClick={() => {
              setFilters(EMPTY_FILTERS);
              setSearch('');
            }}
          >
            {t('inbox.clearFilters')}
          </Button>
        ) : null}
      </Space>
      <Space wrap style={{ justifyContent: 'space-between', width: '100%' }}>
        <Segmented<InboxView>
          value={view}
          onChange={setView}
          options={[
            { value: 'all', label: t('inbox.viewAll') },
            { value: 'mine', label: t('inbox.viewMine') },
            { value: 'offered', label: t('inbox.viewOffered') },
          ]}
        />
        <Space>
          <Button icon={<ReloadOutlined />} onClick={() => void load(null)}>
            {t('common.refresh')}
          </Button>
          <Button type="primary" icon={<CheckOutlined />} disabled={selected.length === 0} onClick={() => setBatchOpen(true)} data-testid="batch-approve">
            {selected.length > 0 ? t('inbox.batchApproveCount', { count: selected.length }) : t('inbox.batchApprove')}
          </Button>
        </Space>
      </Space>
      {error ? <ErrorAlert error={error} /> : null}
      <Typography.Text type="secondary" id="inbox-keys">
        {t('inbox.keyboardHint')}
      </Typography.Text>
      <div ref={tableRef} tabIndex={0} onKeyDown={onKeyDown} aria-describedby="inbox-keys" aria-label={t('inbox.title')} data-testid="inbox-table" className="inbox-table">
        <Table<InboxItem>
          rowKey="taskId"
          size="middle"
          columns={columns}
          dataSource={shown}
          loading={loading}
          pagination={false}
          scroll={{ x: 900 }}
          rowSelection={{ selectedRowKeys: selected, onChange: (keys) => setSelected(keys as string[]) }}
          rowClassName={(_, index) => (index === active ? 'inbox-row-active' : '')}
          onRow={(item, index) => ({
            onClick: () => {
              setActive(index ?? 0);
              open(item);
            },
            'data-row-index': index,
            style: { cursor: 'pointer' },
          } as React.HTMLAttributes<HTMLElement>)}
          locale={{
            emptyText: loading ? ' ' : (
              <Empty
                description={
                  <Space orientation="vertical" size={4}>
                    <Typography.Text strong>{filtered || view !== 'all' ? t('inbox.emptyFiltered') : t('inbox.empty')}</Typography.Text>
                    <Typography.Text type="secondary">{filtered || view !== 'all' ? t('inbox.emptyFilteredHint') : t('inbox.emptyHint')}</Typography.Text>
                  </Space>
                }
              >
                {filtered ? (
                  <Button
                    onClick={() => {
                      setFilters(EMPTY_FILTERS);
                      setSearch('');
                    }}
                  >
                    {t('inbox.clearFilters')}
                  </Button>
                ) : (
                  <Button onClick={() => navigate('/notifications')}>{t('inbox.toNotifications')}</Button>
                )}
              </Empty>
            ),
          }}
        />
      </div>
      {cursor ? (
        <Button block onClick={() => void load(cursor)} loading={loading}>
          {t('inbox.loadMore')}
        </Button>
      ) : null}
      <BatchApproveModal
        open={batchOpen}
        items={selectedItems}
        onClose={(changed) => {
          setBatchOpen(false);
          if (changed) void load(null);
        }}
      />
    </Space>
  );
}

function AreaName({ code }: { code: string }) {
  return <>{useJurisdictionName(code)}</>;
}
