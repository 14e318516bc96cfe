import { Space, Tag, Typography } from 'antd';
import { formatDateTime } from '../components/format';
import { useI18n } from '../i18n/i18n';
import { naturalDaysLeft, workingDaysLeft, type WorkingDaysCalendar } from './working-days';

/**
 * A due time and what is left of it: working days when the calendar is known, natural days
 * (said so) when it could not be read; overdue in red.
 */
export function DeadlineText({ dueAt, calendar, now = new Date() }: { dueAt: string | null; calendar: WorkingDaysCalendar | null | undefined; now?: Date }) {
  const { t, locale } = useI18n();
  if (!dueAt) return <Typography.Text type="secondary">{t('deadline.none')}</Typography.Text>;
  const due = new Date(dueAt);
  const overdue = due.getTime() < now.getTime();
  let left: string | null = null;
  if (calendar) {
    const days = workingDaysLeft(now, due, calendar);
    left = overdue ? t('deadline.overdueWorking', { days: Math.abs(days) }) : days === 0 ? t('deadline.dueToday') : t('deadline.workingLeft', { days });
  } else if (calendar === null) {
    const days = naturalDaysLeft(now, due);
    left = overdue ? t('deadline.overdueNatural', { days: Math.abs(days) }) : days === 0 ? t('deadline.dueToday') : t('deadline.naturalLeft', { days });
  }
  const provisional = calendar?.provisionalYears.length ? t('deadline.provisional', { years: calendar.provisionalYears.join('、') }) : null;
  return (
    <Space size={4} wrap data-testid="deadline">
      <span>{formatDateTime(due, locale)}</span>
      {left ? <Tag color={overdue ? 'red' : 'blue'}>{left}</Tag> : null}
      {provisional ? <Typography.Text type="secondary">{provisional}</Typography.Text> : null}
    </Space>
  );
}
