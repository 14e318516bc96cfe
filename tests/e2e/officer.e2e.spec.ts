import type { Page } from 'playwright-core';
import { screenshot, startE2eApp, type E2eApp } from './e2e-app.js';

/**
 * The officer's work in a real browser against the demo data: the inbox (search, keyboard),
 * a case taken through the generated form — refused first by the definition's condition
 * (422), then accepted, the timeline growing under its verified mark — two officers acting
 * on one case at once (409 for the second, and what changed after reloading), and a
 * reviewer's batch approval with a result per task.
 */

let app: E2eApp;

beforeAll(async () => {
  app = await startE2eApp();
}, 180_000);

afterAll(async () => {
  await app?.close();
});

/** The rows of the inbox table, once loaded. */
async function inboxRows(page: Page) {
  await page.locator('.ant-table-row').first().waitFor();
  return page.locator('.ant-table-row');
}

async function openFromInbox(page: Page, household: string): Promise<string> {
  await page.getByLabel('按户主姓名搜索').fill(household);
  await page.getByLabel('按户主姓名搜索').press('Enter');
  await page.locator('.ant-table-row', { hasText: household }).first().waitFor();
  await page.locator('.ant-table-row', { hasText: household }).first().click();
  await page.getByTestId('timeline').waitFor();
  return page.url().split('/cases/')[1];
}

async function timelineCount(page: Page): Promise<number> {
  return page.getByTestId('timeline-entry').count();
}

describe('an officer of 台山市端芬镇 in the browser', () => {
  it('finds a case in the inbox, is told why the definition refuses the proposal, corrects it, and sees the timeline grow', async () => {
    const { page, context } = await app.fresh();
    await page.goto('/');
    await page.getByLabel('用户名').waitFor();
    await screenshot(page, '01-login');
    await page.getByLabel('用户名').fill('ts-officer');
    await page.getByLabel('密码').fill('wrong-password');
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await page.getByTestId('login-error').waitFor();
    expect(await page.getByTestId('login-error').innerText()).toBe('用户名或密码错误，请重新输入');
    await page.getByLabel('密码').fill('fupin-demo-2026');
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await page.waitForURL('**/tasks');

    // The inbox: soonest due first; the menu is the officer's.
    const rows = await inboxRows(page);
    expect(await rows.count()).toBeGreaterThanOrEqual(4);
    expect(await page.getByRole('menuitem').allInnerTexts()).toEqual(['待办任务', '新建案件', '户档管理', '消息通知']);
    await screenshot(page, '02-inbox');

    // Keyboard: ↓ then Enter opens the second task's case.
    const second = (await rows.nth(1).locator('a').first().innerText()).trim();
    await page.getByTestId('inbox-table').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.getByTestId('case-summary').waitFor();
    expect(await page.getByRole('heading', { level: 3 }).innerText()).toContain(second);
    await page.goBack();

    // 陈大明 waits at 拟选对象 (the proposal).
    const caseId = await openFromInbox(page, '陈大明');
    expect(await page.getByTestId('current-step').innerText()).toBe('拟选对象');
    expect(await page.getByTestId('deadline').first().innerText()).toMatch(/剩余 \d+ 个工作日/);
    expect(await page.getByTestId('chain-verified').innerText()).toBe('记录链已校验（1 条）');
    const before = await timelineCount(page);
    await screenshot(page, '03-case');

    // Sent empty, the generated form names every required field.
    await page.getByTestId('act_propose_submit-submit').click();
    await page.locator('#act_propose_submit_perCapitaIncome_help', { hasText: '此项为必填项' }).waitFor();
    // Ant Design shows each field's message when its own rule settles: wait for the fifth.
    await page.getByText('此项为必填项').nth(4).waitFor();
    expect(await page.getByText('此项为必填项').count()).toBeGreaterThanOrEqual(5);

    // Filled in with an income above the line: the API refuses with the definition's guardMessage (422).
    await page.locator('#act_propose_submit_perCapitaIncome').fill('9000');
    for (const field of ['hasLabourAbility', 'dibao', 'consent']) await page.locator(`#act_propose_submit_${field}`).getByText('是', { exact: true }).click();
    await page.locator('#act_propose_submit_members_0_name').fill('陈大明');
    await page.locator('#act_propose_submit_members_0_relation').fill('户主');
    await page.locator('#act_propose_submit_members_0_age').fill('46');
    await page.locator('#act_propose_submit_members_0_labourAbility').getByText('是', { exact: true }).click();
    await page.locator('#act_propose_submit_members_0_idNumber').fill('110105194912310021');
    await page.getByTestId('act_propose_submit-submit').click();
    await page.locator('#act_propose_submit_members_0_idNumber_help').waitFor();
    expect(await page.locator('#act_propose_submit_members_0_idNumber_help').innerText()).toContain('身份证号码无效');
    await page.locator('#act_propose_submit_members_0_idNumber').fill('11010519491231002X');
    await page.getByTestId('act_propose_submit-submit').click();
    const refusal = page.getByTestId('error-alert');
    await refusal.waitFor();
    expect(await refusal.innerText()).toContain('当前不能执行此操作');
    expect(await refusal.innerText()).toContain('不符合识别条件');
    await screenshot(page, '04-case-refused');
    expect(await timelineCount(page)).toBe(before);

    // Corrected: accepted; the case moves on and the timeline has the action on top.
    await page.locator('#act_propose_submit_perCapitaIncome').fill('4200');
    await page.getByTestId('act_propose_submit-submit').click();
    await page.getByTestId('action-done').waitFor();
    expect(await page.getByTestId('action-done').innerText()).toContain('已办理：提交拟选对象');
    expect(await page.getByTestId('current-step').innerText()).toBe('精准扶持');
    expect(await timelineCount(page)).toBe(before + 1);
    expect(await page.getByTestId('timeline-entry').first().innerText()).toContain('提交拟选对象');
    expect(await page.getByTestId('timeline-entry').first().innerText()).toContain('ts-officer');
    expect(await page.getByTestId('chain-verified').innerText()).toBe('记录链已校验（2 条）');
    expect(await page.getByTestId('withdraw').innerText()).toContain('撤回');
    await screenshot(page, '05-case-after-action');

    // The same page in English: every string has its translation.
    await page.getByRole('button', { name: /English/ }).click();
    await page.getByText('Household summary').waitFor();
    await screenshot(page, '06-case-english');
    expect(page.url()).toContain(caseId);
    await context.close();
  }, 180_000);

  it('acting on a case a colleague has just moved on gets the 409 message, and reloading shows what changed', async () => {
    const first = await app.loggedIn('ts-officer');
    const second = await app.loggedIn('ts-officer2');
    // 李秀兰 waits at 精准扶持: both officers of the town have it open.
    const caseId = await openFromInbox(first.page, '李秀兰');
    await second.page.goto(`/cases/${caseId}`);
    await second.page.getByTestId('timeline').waitFor();

    await first.page.locator('#act_support_submit_measures').getByText('产业扶贫').click();
    await first.page.locator('#act_support_submit_pairedUnit').fill('台山市农业农村局');
    await first.page.locator('#act_support_submit_responsiblePerson').fill('黄志强');
    await first.page.getByTestId('act_support_submit-submit').click();
    await first.page.getByTestId('action-done').waitFor();
    expect(await first.page.getByTestId('current-step').innerText()).toBe('民主评议');

    // The second officer, still looking at 精准扶持, returns it for correction.
    await second.page.getByRole('tab', { name: '退回补正' }).click();
    await second.page.locator('#act_support_return_reason').fill('收入材料不全');
    await second.page.getByTestId('act_support_return-submit').click();
    const conflict = second.page.getByTestId('conflict');
    await conflict.waitFor();
    expect(await conflict.innerText()).toContain('此案件已被他人先行办理');
    expect(await conflict.innerText()).toMatch(/您看到的是第 \d+ 版，现在是第 \d+ 版/);
    await screenshot(second.page, '07-conflict');

    await second.page.getByTestId('conflict-reload').click();
    const changes = second.page.getByTestId('changes');
    await changes.waitFor();
    expect(await changes.innerText()).toContain('当前环节 精准扶持 → 民主评议');
    expect(await changes.innerText()).toContain('ts-officer：提交帮扶计划（精准扶持）');
    expect(await second.page.getByTestId('current-step').innerText()).toBe('民主评议');
    await screenshot(second.page, '08-conflict-reloaded');
    await first.context.close();
    await second.context.close();
  }, 180_000);

  it('a county reviewer approves tasks in a batch, with a result for each', async () => {
    const { page, context } = await app.loggedIn('ts-reviewer');
    await page.waitForURL('**/tasks');
    // The demo's 台山 reviewer has a full inbox (a typhoon's re-entries first, overdue): find the household.
    await page.getByLabel('按户主姓名搜索').fill('伍国华');
    await page.getByLabel('按户主姓名搜索').press('Enter');
    const rows = await inboxRows(page);
    const review = page.locator('.ant-table-row', { hasText: '伍国华' });
    await review.locator('.ant-checkbox-input').check();
    expect(await rows.count()).toBeGreaterThanOrEqual(1);
    await page.getByTestId('batch-approve').click();
    await page.getByTestId('batch-confirm').click();
    await page.getByText(/办理完成：成功 \d+ 件，失败 \d+ 件/).waitFor();
    expect(await page.getByText(/办理完成/).innerText()).toBe('办理完成：成功 1 件，失败 0 件');
    expect(await page.locator('.ant-modal .ant-table-row', { hasText: '伍国华' }).innerText()).toContain('成功');
    await screenshot(page, '09-batch-approved');
    await page.locator('.ant-modal-footer').getByRole('button').click();
    await page.locator('.inbox-table .ant-table-row', { hasText: '伍国华' }).waitFor({ state: 'detached' });

    await page.getByRole('menuitem', { name: '消息通知' }).click();
    await page.getByRole('heading', { name: /消息通知/ }).waitFor();
    await page.locator('.ant-list').waitFor();
    await screenshot(page, '10-notifications');
    await context.close();
  }, 180_000);
});
