import { App, Button, Card, Col, Empty, Form, Input, InputNumber, Row, Select, Skeleton, Space, Typography } from 'antd';
import { useEffect, useState } from 'react';
import type { YearlyRules } from '../../api/types';
import { useAuth } from '../../auth/auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useLoad } from '../../components/hooks';
import { useI18n } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/messages';
import { COUNTIES } from '../public/PublicBoardPage';

const FIGURES: readonly { name: keyof YearlyRules; label: MessageKey; step: number; max?: number }[] = [
  { name: 'povertyLine', label: 'rules.povertyLine', step: 1 },
  { name: 'ruralLowLine', label: 'rules.ruralLowLine', step: 1 },
  { name: 'urbanDibaoStandard', label: 'rules.urbanDibaoStandard', step: 1 },
  { name: 'urbanExitRatio', label: 'rules.urbanExitRatio', step: 0.05, max: 10 },
  { name: 'ruralMeanIncome', label: 'rules.ruralMeanIncome', step: 1 },
  { name: 'ruralExitRatio', label: 'rules.ruralExitRatio', step: 0.05, max: 10 },
  { name: 'villageCollectiveIncomeTarget', label: 'rules.villageTarget', step: 1000 },
];

/** The yearly rule figures (poverty lines, exit standards, 两不愁三保障), the city administrators' to set. */
export default function RulesPage() {
  const { t } = useI18n();
  const { api } = useAuth();
  const { message } = App.useApp();
  const all = useLoad((a) => a.rules(), []);
  const [year, setYear] = useState<number | undefined>();
  const [form] = Form.useForm<Omit<YearlyRules, 'year'>>();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const years = (all.data ?? []).map((r) => r.year).sort((a, b) => b - a);
  const nextYear = (years[0] ?? new Date().getFullYear() - 1) + 1;
  const shown = year ?? years[0];
  const current = all.data?.find((r) => r.year === shown) ?? all.data?.find((r) => r.year === years[0]);

  useEffect(() => {
    if (current) form.setFieldsValue(current);
  }, [current, form]);

  if (all.error) return <ErrorAlert error={all.error} />;
  if (!all.data) return <Skeleton active />;

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t('rules.title')}
      </Typography.Title>
      <Space wrap>
        <Select
          aria-label={t('rules.year')}
          value={shown}
          onChange={setYear}
          style={{ width: 160 }}
          options={[...years.map((y) => ({ value: y, label: String(y) })), { value: nextYear, label: t('rules.newYear', { year: nextYear }) }]}
        />
        {shown !== undefined && !years.includes(shown) ? <Typography.Text type="secondary">{t('rules.newYearHint', { from: years[0] ?? '' })}</Typography.Text> : null}
      </Space>
      {all.data.length === 0 ? <Empty description={t('rules.empty')} /> : null}
      {error ? <ErrorAlert error={error} onClose={() => setError(null)} /> : null}
      <Form
        form={form}
        layout="vertical"
        onFinish={async (values) => {
          if (shown === undefined) return;
          setBusy(true);
          setError(null);
          try {
            await api.putRules(shown, { ...values, villageCollectiveIncomeTarget: values.villageCollectiveIncomeTarget ?? null, placeholders: values.placeholders ?? [] });
            void message.success(t('rules.saved', { year: shown }));
            setYear(shown);
            await all.reload();
          } catch (caught) {
            setError(caught);
          } finally {
            setBusy(false);
          }
        }}
      >
        <Card size="small" title={t('rules.figures')}>
          <Row gutter={16}>
            {FIGURES.map((figure) => (
              <Col xs={24} md={12} xl={8} key={figure.name}>
                <Form.Item name={figure.name} label={t(figure.label)} rules={[{ required: figure.name !== 'villageCollectiveIncomeTarget', message: t('form.required') }]}>
                  <InputNumber min={0} max={figure.max} step={figure.step} style={{ width: '100%' }} />
                </Form.Item>
              </Col>
            ))}
            <Col xs={24} md={12} xl={8}>
              <Form.Item name="lowLineCounties" label={t('rules.lowLineCounties')}>
                <Select mode="multiple" options={COUNTIES.map((c) => ({ value: c.code, label: c.name }))} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12} xl={8}>
              <Form.Item name="placeholders" label={t('rules.placeholders')} extra={t('rules.placeholdersHint')}>
                <Select mode="multiple" options={FIGURES.map((f) => ({ value: f.name, label: t(f.label) }))} />
              </Form.Item>
            </Col>
          </Row>
        </Card>
        <Card size="small" title={t('rules.checklist')} style={{ marginTop: 16 }}>
          <Form.List name="checklist">
            {(items, { add, remove }) => (
              <Space orientation="vertical" style={{ width: '100%' }}>
                {items.map((item) => (
                  <Space key={item.key} wrap align="start">
                    <Form.Item name={[item.name, 'key']} rules={[{ required: true, pattern: /^[a-zA-Z][a-zA-Z0-9]*$/, message: t('rules.keyRule') }]} style={{ marginBottom: 0 }}>
                      <Input placeholder={t('rules.key')} style={{ width: 180 }} />
                    </Form.Item>
                    <Form.Item name={[item.name, 'label']} rules={[{ required: true, message: t('form.required') }]} style={{ marginBottom: 0 }}>
                      <Input placeholder={t('rules.label')} style={{ width: 180 }} />
                    </Form.Item>
                    <Form.Item name={[item.name, 'labelEn']} rules={[{ required: true, message: t('form.required') }]} style={{ marginBottom: 0 }}>
                      <Input placeholder={t('rules.labelEn')} style={{ width: 220 }} />
                    </Form.Item>
                    <Button onClick={() => remove(item.name)}>{t('rules.removeItem')}</Button>
                  </Space>
                ))}
                <Button type="dashed" onClick={() => add({ key: '', label: '', labelEn: '' })}>
                  {t('rules.addItem')}
                </Button>
              </Space>
            )}
          </Form.List>
        </Card>
        <Button type="primary" htmlType="submit" loading={busy} style={{ marginTop: 16 }}>
          {t('rules.save', { year: shown ?? '' })}
        </Button>
      </Form>
    </Space>
  );
}
