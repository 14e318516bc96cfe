import { App, Button, Card, Col, DatePicker, Empty, Row, Select, Skeleton, Space, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useEffect, useState } from 'react';
import { useAuth } from '../../auth/auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useLoad } from '../../components/hooks';
import { useI18n } from '../../i18n/i18n';

/**
 * The holiday calendar of a year: the statutory holidays (放假) and the make-up working days
 * (调休上班). Saving publishes the year; pending deadlines it moves are recomputed by the API.
 */
export default function CalendarPage() {
  const { t } = useI18n();
  const { api } = useAuth();
  const { message } = App.useApp();
  const thisYear = new Date().getFullYear();
  const [year, setYear] = useState(thisYear);
  const calendar = useLoad((a) => a.calendarYear(year), [year]);
  const [holidays, setHolidays] = useState<string[]>([]);
  const [workdays, setWorkdays] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    setHolidays(calendar.data?.holidays ?? []);
    setWorkdays(calendar.data?.workdays ?? []);
  }, [calendar.data]);

  const editor = (title: string, days: string[], set: (days: string[]) => void, color: string, testId: string) => (
    <Card size="small" title={title} data-testid={testId}>
      <Space orientation="vertical" style={{ width: '100%' }}>
        <DatePicker
          aria-label={title}
          value={null}
          minDate={dayjs(`${year}-01-01`)}
          maxDate={dayjs(`${year}-12-31`)}
          onChange={(value: dayjs.Dayjs | null) => value && set([...new Set([...days, value.format('YYYY-MM-DD')])].sort())}
        />
        {days.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('calendar.noDays')} />
        ) : (
          <Space wrap size={4}>
            {days.map((day) => (
              <Tag key={day} color={color} closable onClose={() => set(days.filter((d) => d !== day))}>
                {day}
              </Tag>
            ))}
          </Space>
        )}
      </Space>
    </Card>
  );

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t('calendar.title')}
      </Typography.Title>
      <Space wrap>
        <Select aria-label={t('calendar.year')} value={year} onChange={setYear} style={{ width: 120 }} options={[thisYear - 1, thisYear, thisYear + 1].map((y) => ({ value: y, label: String(y) }))} />
        {calendar.data ? (
          calendar.data.published ? <Tag color="green">{t('calendar.published')}</Tag> : <Tag color="orange">{t('calendar.notPublished')}</Tag>
        ) : null}
      </Space>
      <Typography.Paragraph type="secondary">{t('calendar.hint')}</Typography.Paragraph>
      {calendar.error ? <ErrorAlert error={calendar.error} /> : null}
      {error ? <ErrorAlert error={error} onClose={() => setError(null)} /> : null}
      {calendar.loading && !calendar.data ? (
        <Skeleton active />
      ) : (
        <>
          <Row gutter={[16, 16]}>
            <Col xs={24} lg={12}>
              {editor(t('calendar.holidays'), holidays, setHolidays, 'red', 'calendar-holidays')}
            </Col>
            <Col xs={24} lg={12}>
              {editor(t('calendar.workdays'), workdays, setWorkdays, 'blue', 'calendar-workdays')}
            </Col>
          </Row>
          <Button
            type="primary"
            loading={busy}
            onClick={async () => {
              setBusy(true);
              setError(null);
              try {
                await api.putCalendarYear(year, { holidays, workdays });
                void message.success(t('calendar.saved'));
                await calendar.reload();
              } catch (caught) {
                setError(caught);
              } finally {
                setBusy(false);
              }
            }}
          >
            {t('calendar.save')}
          </Button>
        </>
      )}
    </Space>
  );
}
