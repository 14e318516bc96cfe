import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Card, Checkbox, DatePicker, Form, Input, InputNumber, Radio, Select, Space, type FormInstance, type FormItemProps } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import type { FieldDefinition, FieldIssue } from '../api/types';
import { useI18n } from '../i18n/i18n';
import { checkField, maxItemsOf, maxLengthOf } from './field-rules';
import { issueTarget, toApiData } from './form-values';

export interface ActionFormSubmit {
  data: Record<string, unknown>;
  comment?: string;
}

export interface ActionFormProps {
  /** A unique name: the inputs' ids are `<name>_<field>`. */
  name: string;
  fields: Record<string, FieldDefinition>;
  submitLabel: string;
  onSubmit(values: ActionFormSubmit): Promise<void> | void;
  /** A return or a rejection: the button says so in red. */
  danger?: boolean;
  /** An optional comment (办理意见) sent with the action. */
  withComment?: boolean;
  disabled?: boolean;
  /** The day resident IDs' birth dates may not be after (tests fix it; default today). */
  today?: Date;
  /** Values to start from (the figures of the household file a case was started from). */
  initial?: Record<string, unknown>;
  /**
   * The problems the API found in what was sent (`details.issues`), shown beside their fields
   * until they are edited; the values stay as typed. A new array shows them again.
   */
  issues?: readonly FieldIssue[];
  /** The fields failed their checks and nothing was sent: what lies outside the form can be checked at the same time. */
  onInvalid?(): void;
}

const COMMENT_MAX = 2000;

/**
 * The form of one action, generated from the definition's fields: one input per field type,
 * checked as the API checks it (field-rules.ts), so that every problem shows beside its
 * field before anything is sent. Submits the data in the API's shape (form-values.ts).
 */
export function ActionForm({ name, fields, submitLabel, onSubmit, danger, withComment = true, disabled, today, initial, issues, onInvalid }: ActionFormProps) {
  const { t } = useI18n();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!issues?.length) return;
    form.setFields(
      issues.flatMap((issue) => {
        const target = issueTarget(fields, issue.field);
        if (!target) return [];
        // Our own words when our rules see the problem too; else the API's, said to be its.
        const problem = checkField(target.field, form.getFieldValue(target.name), today);
        return [{ name: target.name, errors: [problem ? t(problem.key, problem.vars) : t('form.refusedByApi', { message: issue.message })] }];
      }),
    );
    // `issues` is the trigger: a new answer from the API shows its problems.
  }, [issues]); // eslint-disable-line react-hooks/exhaustive-deps
  // Values handed in (a household file's figures) only for fields the form has.
  const initialValues = useMemo(
    () => ({ ...initialRows(fields), ...Object.fromEntries(Object.entries(initial ?? {}).filter(([key]) => Object.hasOwn(fields, key))) }),
    [fields, initial],
  );

  async function finish(values: Record<string, unknown>) {
    setBusy(true);
    try {
      const comment = typeof values.__comment === 'string' && values.__comment.trim() ? values.__comment : undefined;
      await onSubmit({ data: toApiData(fields, values), ...(comment ? { comment } : {}) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <Form form={form} name={name} layout="vertical" onFinish={finish} onFinishFailed={onInvalid} initialValues={initialValues} disabled={disabled || busy} scrollToFirstError>
      {Object.entries(fields).map(([key, field]) => (
        <FieldInput key={key} name={[key]} field={field} form={form} today={today} />
      ))}
      {withComment ? (
        <Form.Item
          name="__comment"
          label={t('form.comment')}
          rules={[{ max: COMMENT_MAX, message: t('form.tooLong', { max: COMMENT_MAX }) }]}
        >
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} placeholder={t('form.commentPlaceholder')} />
        </Form.Item>
      ) : null}
      <Button type="primary" danger={danger} htmlType="submit" loading={busy} data-testid={`${name}-submit`}>
        {submitLabel}
      </Button>
    </Form>
  );
}

/** A required table starts with one empty row to fill in; an optional one with none. */
function initialRows(fields: Record<string, FieldDefinition>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(fields)) if (field.type === 'table' && field.required) values[key] = [{}];
  return values;
}

interface FieldInputProps {
  name: (string | number)[];
  field: FieldDefinition;
  form: FormInstance;
  today?: Date;
  /** Inside a table row: the label is the column's, shown above the input all the same. */
  compact?: boolean;
}

function FieldInput({ name, field, form, today, compact }: FieldInputProps) {
  const { t, label, locale } = useI18n();
  const title = label(field);
  const validator = async (_: unknown, value: unknown) => {
    const problem = checkField(field, value, today);
    if (problem) throw new Error(t(problem.key, problem.vars));
  };
  const item: FormItemProps = {
    name,
    label: title,
    required: field.required,
    rules: [{ validator }],
    style: compact ? { marginBottom: 8, minWidth: 160, flex: '1 1 160px' } : undefined,
  };
  const optionLabel = (option: string) =>
    (locale === 'en-US' ? (field.optionLabelsEn?.[option] ?? field.optionLabels?.[option]) : field.optionLabels?.[option]) ?? option;
  const options = (field.options ?? []).map((option) => ({ value: option, label: optionLabel(option) }));

  switch (field.type) {
    case 'string':
      return (
        <Form.Item {...item}>
          <Input count={{ show: true, max: maxLengthOf(field) }} />
        </Form.Item>
      );
    case 'text':
      return (
        <Form.Item {...item}>
          <Input.TextArea autoSize={{ minRows: 3, maxRows: 10 }} count={{ show: true, max: maxLengthOf(field) }} />
        </Form.Item>
      );
    case 'integer':
    case 'number':
      return (
        <Form.Item {...item} extra={compact ? undefined : rangeHint(field, t)}>
          <InputNumber style={{ width: '100%', maxWidth: 240 }} />
        </Form.Item>
      );
    case 'boolean':
      // A choice made on purpose: a switch would answer "no" for anyone who never touched it.
      return (
        <Form.Item {...item}>
          <Radio.Group
            options={[
              { value: true, label: t('common.yes') },
              { value: false, label: t('common.no') },
            ]}
          />
        </Form.Item>
      );
    case 'date':
      return (
        <Form.Item
          {...item}
          getValueProps={(value: unknown) => ({ value: typeof value === 'string' && value ? dayjs(value) : undefined })}
          normalize={(value: Dayjs | null) => (value ? value.format('YYYY-MM-DD') : undefined)}
        >
          <DatePicker style={{ width: '100%', maxWidth: 240 }} />
        </Form.Item>
      );
    case 'enum':
      return (
        <Form.Item {...item}>
          {options.length <= 4 ? <Radio.Group options={options} /> : <Select options={options} allowClear placeholder={t('form.choose')} style={{ maxWidth: 360 }} />}
        </Form.Item>
      );
    case 'list':
      return (
        <Form.Item {...item} extra={field.maxItems !== undefined ? t('form.maxItemsHint', { max: maxItemsOf(field) }) : undefined}>
          <Checkbox.Group options={options} />
        </Form.Item>
      );
    case 'residentId':
      return (
        <Form.Item {...item} normalize={(value: string) => value?.toUpperCase()}>
          <Input maxLength={18} style={{ maxWidth: 260, fontFamily: 'monospace' }} autoComplete="off" />
        </Form.Item>
      );
    case 'table':
      return <TableInput name={name} field={field} form={form} title={title} today={today} />;
  }
}

function rangeHint(field: FieldDefinition, t: ReturnType<typeof useI18n>['t']): ReactNode {
  if (field.min !== undefined && field.max !== undefined) return t('form.rangeHint', { min: field.min, max: field.max });
  if (field.min !== undefined) return t('form.minHint', { min: field.min });
  if (field.max !== undefined) return t('form.maxHint', { max: field.max });
  return undefined;
}

/** A table: its rows, each with the columns' inputs; rows are added up to maxItems. */
function TableInput({ name, field, form, title, today }: FieldInputProps & { title: string }) {
  const { t } = useI18n();
  const max = maxItemsOf(field);
  const columns = Object.entries(field.columns ?? {});
  return (
    <Form.Item label={title} required={field.required} style={{ marginBottom: 16 }}>
      <Form.List
        name={name}
        rules={[
          {
            validator: async (_, rows: unknown) => {
              const problem = checkField(field, rows ?? undefined, today);
              if (problem) throw new Error(t(problem.key, problem.vars));
            },
          },
        ]}
      >
        {(rows, { add, remove }, { errors }) => (
          <Space orientation="vertical" style={{ width: '100%' }}>
            {rows.map((row, index) => (
              <Card
                key={row.key}
                size="small"
                title={t('form.row', { n: index + 1 })}
                extra={
                  <Button size="small" type="text" danger icon={<DeleteOutlined />} onClick={() => remove(row.name)} aria-label={t('form.removeRow', { n: index + 1 })}>
                    {t('form.removeRowShort')}
                  </Button>
                }
                data-testid={`${name.join('.')}-row-${index}`}
              >
                <div style={{ display: 'flex', flexWrap: 'wrap', columnGap: 16 }}>
                  {columns.map(([key, column]) => (
                    <FieldInput key={key} name={[row.name, key]} field={column} form={form} today={today} compact />
                  ))}
                </div>
              </Card>
            ))}
            <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({})} disabled={rows.length >= max}>
              {rows.length >= max ? t('form.rowLimit', { max }) : t('form.addRow')}
            </Button>
            <Form.ErrorList errors={errors} />
          </Space>
        )}
      </Form.List>
    </Form.Item>
  );
}
