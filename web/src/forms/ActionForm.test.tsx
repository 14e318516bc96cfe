import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ConfigProvider } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import { describe, expect, it, vi } from 'vitest';
import type { FieldDefinition } from '../api/types';
import { I18nProvider } from '../i18n/i18n';
import { ActionForm, type ActionFormSubmit } from './ActionForm';

const TODAY = new Date('2026-03-15T04:00:00Z');

/** One field of every type the definitions know (src/engine/workflow-definition.ts FIELD_TYPES). */
const FIELDS: Record<string, FieldDefinition> = {
  householdName: { type: 'string', label: '户主姓名', required: true, maxLength: 5 },
  minutes: { type: 'text', label: '会议记录', maxLength: 10 },
  memberCount: { type: 'integer', label: '家庭人口', required: true, min: 1, max: 30 },
  income: { type: 'number', label: '人均收入', min: 0 },
  consent: { type: 'boolean', label: '自愿申请', required: true },
  meetingDate: { type: 'date', label: '评议日期' },
  decision: { type: 'enum', label: '评议结论', required: true, options: ['pass', 'fail'], optionLabels: { pass: '通过', fail: '不通过' } },
  measures: { type: 'list', label: '帮扶措施', options: ['industry', 'education', 'medical'], optionLabels: { industry: '产业帮扶', education: '教育帮扶', medical: '医疗救助' }, maxItems: 2 },
  householderId: { type: 'residentId', label: '户主身份证号码' },
  members: {
    type: 'table',
    label: '家庭成员',
    required: true,
    maxItems: 2,
    columns: {
      name: { type: 'string', label: '姓名', required: true },
      age: { type: 'integer', label: '年龄', required: true, min: 0, max: 130 },
    },
  },
};

function renderForm(fields: Record<string, FieldDefinition> = FIELDS) {
  const submitted: ActionFormSubmit[] = [];
  const onSubmit = vi.fn((values: ActionFormSubmit) => {
    submitted.push(values);
  });
  render(
    <I18nProvider locale="zh-CN">
      <ConfigProvider locale={zhCN}>
        <ActionForm name="t" fields={fields} submitLabel="提交" onSubmit={onSubmit} today={TODAY} />
      </ConfigProvider>
    </I18nProvider>,
  );
  return { submitted, onSubmit, user: userEvent.setup() };
}

/** The form item (label, input, messages) of a field. */
function item(label: string): HTMLElement {
  return screen.getAllByText(label, { selector: 'label' })[0].closest('.ant-form-item') as HTMLElement;
}

async function submit(user: ReturnType<typeof userEvent.setup>) {
  await user.click(screen.getByTestId('t-submit'));
}

describe('ActionForm, the form generated from a definition', () => {
  it('shows every required field that is empty, and sends nothing', async () => {
    const { user, onSubmit } = renderForm();
    await submit(user);
    // antd validates field by field and shows each message when its own rule settles, so
    // wait for all of them together, not for the first one only (a loaded CI run saw the
    // table's messages arrive a frame after the others).
    await waitFor(() => {
      expect(within(item('户主姓名')).getByText('此项为必填项')).toBeInTheDocument();
      expect(within(item('家庭人口')).getByText('此项为必填项')).toBeInTheDocument();
      expect(within(item('自愿申请')).getByText('此项为必填项')).toBeInTheDocument();
      expect(within(item('评议结论')).getByText('此项为必填项')).toBeInTheDocument();
      // The required table starts with one row; its required columns are asked for.
      expect(within(screen.getByTestId('members-row-0')).getAllByText('此项为必填项')).toHaveLength(2);
    });
    // Optional fields stay quiet.
    expect(within(item('人均收入')).queryByText('此项为必填项')).toBeNull();
    expect(within(item('户主身份证号码')).queryByText('此项为必填项')).toBeNull();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('checks lengths, bounds, whole numbers and the resident ID checksum as the API does', async () => {
    const { user, onSubmit } = renderForm();
    await user.type(screen.getByLabelText('户主姓名'), '欧阳陈大明先生');
    await user.type(screen.getByLabelText('会议记录'), '一二三四五六七八九十十一');
    await user.type(screen.getByLabelText('家庭人口'), '31');
    await user.type(screen.getByLabelText('人均收入'), '-5');
    await user.type(screen.getByLabelText('户主身份证号码'), '110105194912310021');
    await user.type(screen.getByLabelText('年龄'), '2.5');
    await submit(user);
    await waitFor(() => {
      expect(within(item('户主姓名')).getByText('不能超过 5 个字')).toBeInTheDocument();
      expect(within(item('会议记录')).getByText('不能超过 10 个字')).toBeInTheDocument();
      expect(within(item('家庭人口')).getByText('不能大于 30')).toBeInTheDocument();
      expect(within(item('人均收入')).getByText('不能小于 0')).toBeInTheDocument();
      expect(within(item('户主身份证号码')).getByText(/身份证号码无效/)).toBeInTheDocument();
      expect(within(item('年龄')).getByText('请输入整数')).toBeInTheDocument();
    });
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('offers the options of enums and lists by their labels, at most maxItems of a list', async () => {
    const { user } = renderForm();
    expect(within(item('评议结论')).getByLabelText('通过')).toBeInTheDocument();
    expect(within(item('评议结论')).getByLabelText('不通过')).toBeInTheDocument();
    await user.click(screen.getByLabelText('产业帮扶'));
    await user.click(screen.getByLabelText('教育帮扶'));
    await user.click(screen.getByLabelText('医疗救助'));
    await submit(user);
    await waitFor(() => expect(within(item('帮扶措施')).getByText('最多选择 2 项')).toBeInTheDocument());
  });

  it('adds table rows up to maxItems and removes them', async () => {
    const { user } = renderForm();
    expect(screen.getByTestId('members-row-0')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: /添加一行/ }));
    expect(screen.getByTestId('members-row-1')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /已达上限 2 行/ })).toBeDisabled();
    await user.click(screen.getByRole('button', { name: '删除第 2 行' }));
    expect(screen.queryByTestId('members-row-1')).toBeNull();
    expect(screen.getByRole('button', { name: /添加一行/ })).toBeEnabled();
  });

  it('sends the filled form in the API shape: numbers, booleans, a YYYY-MM-DD date, option values, rows; empty optional fields left out', async () => {
    const { user, submitted } = renderForm();
    await user.type(screen.getByLabelText('户主姓名'), '陈大明');
    await user.type(screen.getByLabelText('家庭人口'), '4');
    await user.type(screen.getByLabelText('人均收入'), '4200.5');
    await user.click(within(item('自愿申请')).getByLabelText('是'));
    await user.click(within(item('评议结论')).getByLabelText('通过'));
    await user.click(screen.getByLabelText('产业帮扶'));
    await user.type(screen.getByLabelText('户主身份证号码'), '11010519491231002x');
    await user.type(screen.getByLabelText('评议日期'), '2026-03-10{enter}');
    await user.type(screen.getByLabelText('姓名'), '陈大明');
    await user.type(screen.getByLabelText('年龄'), '46');
    await user.type(screen.getByLabelText('办理意见'), '材料齐全');
    await submit(user);
    await waitFor(() => expect(submitted).toHaveLength(1));
    expect(submitted[0]).toEqual({
      data: {
        householdName: '陈大明',
        memberCount: 4,
        income: 4200.5,
        consent: true,
        meetingDate: '2026-03-10',
        decision: 'pass',
        measures: ['industry'],
        householderId: '11010519491231002X',
        members: [{ name: '陈大明', age: 46 }],
      },
      comment: '材料齐全',
    });
  });

  it('labels fields in English with labelEn when the app is in English', () => {
    render(
      <I18nProvider locale="en-US">
        <ActionForm name="en" fields={{ consent: { type: 'boolean', label: '自愿申请', labelEn: 'Household consents', required: true } }} submitLabel="Submit" onSubmit={() => undefined} />
      </I18nProvider>,
    );
    expect(screen.getByText('Household consents')).toBeInTheDocument();
    expect(screen.getByLabelText('Yes')).toBeInTheDocument();
  });
});

describe('ActionForm, the order of its fields', () => {
  // The definition's own order, which is neither alphabetical nor PostgreSQL jsonb's (shorter keys first).
  const VISIT: Record<string, FieldDefinition> = {
    visitedOn: { type: 'date', label: '走访日期', required: true },
    notes: { type: 'text', label: '走访记录' },
    aid: { type: 'number', label: '慰问金额', min: 0 },
    members: {
      type: 'table',
      label: '在家成员',
      required: true,
      columns: {
        relation: { type: 'string', label: '关系' },
        name: { type: 'string', label: '姓名' },
        idNumber: { type: 'residentId', label: '身份证号' },
        age: { type: 'integer', label: '年龄' },
      },
    },
  };

  it('is the definition’s: fields, and a table’s columns in each row, as the author wrote them', () => {
    renderForm(VISIT);
    const labels = [...document.querySelectorAll('.ant-form-item-label > label')].map((label) => label.textContent);
    expect(labels).toEqual(['走访日期', '走访记录', '慰问金额', '在家成员', '关系', '姓名', '身份证号', '年龄', '办理意见']);
  });

  it('follows the keys as given, whatever they are', () => {
    const reversed = Object.fromEntries(Object.entries(VISIT).reverse());
    renderForm(reversed);
    const labels = [...document.querySelectorAll('.ant-form-item-label > label')].map((label) => label.textContent);
    expect(labels).toEqual(['在家成员', '关系', '姓名', '身份证号', '年龄', '慰问金额', '走访记录', '走访日期', '办理意见']);
  });
});
