import type { Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../src/database/seed-demo.js';
import { tinyPng } from '../support/files.js';
import { screenshot, startE2eApp, type E2eApp } from './e2e-app.js';

/**
 * The pages beyond the officer's inbox, against whatever the demo seed holds: the tests find
 * their data through the API (a household of the officer's town, a notice of that town, the
 * overdue counts) rather than by names.
 */

// The callbacks of page.waitForFunction run in the browser; the project's lib has no DOM
// (adding it would change the types of the server code), so the little they touch is declared.
declare const document: { querySelector(selector: string): { textContent: string | null; scrollWidth: number; clientWidth: number } | null; documentElement: { scrollWidth: number; clientWidth: number } };

let app: E2eApp;

beforeAll(async () => {
  app = await startE2eApp();
}, 180_000);

afterAll(async () => {
  await app?.close();
});

/** The API as `username` sees it. */
async function apiAs(username: string) {
  const login = await fetch(`${app.baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: DEMO_PASSWORD }) });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${app.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${accessToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  return { get: <T>(path: string) => call<T>('GET', path), post: <T>(path: string, body: unknown) => call<T>('POST', path, body) };
}

interface Household {
  id: string;
  headName: string;
}

/**
 * A household of the officer's town that may be proposed: not registered, not on dibao, and
 * eligible by the file's own figures. A seed without one gets one created through the API,
 * as an officer would file it.
 */
async function proposableHousehold(officer: Awaited<ReturnType<typeof apiAs>>, town: string): Promise<Household> {
  const year = Number(new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 4));
  const page = await officer.get<{ items: Household[] }>(`/api/households?status=none&dibao=false&jurisdiction=${town}&limit=30`);
  for (const household of page.items) {
    const eligibility = await officer.get<{ entry: { pass: boolean } }>(`/api/households/${household.id}/eligibility?year=${year}`);
    const file = await officer.get<{ cases: unknown[] }>(`/api/households/${household.id}`);
    if (eligibility.entry.pass && file.cases.length === 0) return household;
  }
  const node = await officer.get<{ children: { code: string }[] }>(`/api/jurisdictions/${town}`);
  return officer.post<Household>('/api/households', {
    villageCode: node.children[0].code,
    headName: '梅志坚',
    rural: true,
    dibao: false,
    consent: true,
    members: [{ name: '梅志坚', relation: '户主', age: 52, labourAbility: true }],
  });
}

async function currentStep(page: Page): Promise<string> {
  return page.getByTestId('current-step').innerText();
}

describe('the pages of issue 7 in the browser', () => {
  it('an officer of a 台山 town proposes a household from its file and takes it through 拟选对象 → 精准扶持 → 民主评议; the county reviewer returns it and the officer corrects and resubmits', async () => {
    const officer = await apiAs('ts-officer');
    const me = await officer.get<{ jurisdictionCode: string }>('/api/auth/me');
    const household = await proposableHousehold(officer, me.jurisdictionCode);

    const { page, context } = await app.loggedIn('ts-officer');
    // 新建案件 does not duplicate the file: a household's procedure sends the officer to the files.
    await page.getByRole('menuitem', { name: '新建案件' }).click();
    await page.getByRole('radio', { name: /贫困户识别/ }).click();
    await page.getByTestId('new-case-poverty-entry').getByText('可以发起的户档状态：未建档').waitFor();
    await screenshot(page, '10b-new-case-from-file');
    await page.getByTestId('new-case-to-households').click();
    await page.getByTestId('households-table').waitFor();
    await page.getByLabel('按户主姓名搜索').fill(household.headName);
    await page.getByLabel('按户主姓名搜索').press('Enter');
    await page.locator(`a[href="/households/${household.id}"]`).waitFor();
    await screenshot(page, '11-households');
    await page.locator(`a[href="/households/${household.id}"]`).click();
    await page.getByTestId('household-head').waitFor();
    expect(await page.getByTestId('household-head').innerText()).toBe(household.headName);
    await page.getByRole('tab', { name: '认定测算' }).click();
    await page.getByTestId('eligibility-entry').waitFor();
    expect(await page.getByTestId('eligibility-entry').innerText()).toContain('符合');
    await screenshot(page, '12-household-file');

    await page.getByTestId('start-from-file-poverty-entry').click();
    await page.locator('.ant-popconfirm').getByRole('button', { name: /确\s*定/ }).click();
    await page.waitForURL('**/cases/**');
    await page.getByTestId('current-step').waitFor();
    expect(await currentStep(page)).toBe('拟选对象');
    // The file's figures are in the form; what the file lacks the officer enters.
    const income = page.locator('#act_propose_submit_perCapitaIncome');
    if ((await income.inputValue()) === '') await income.fill('4200');
    for (const field of ['hasLabourAbility', 'consent']) await page.locator(`#act_propose_submit_${field}`).getByText('是', { exact: true }).click();
    await page.locator('#act_propose_submit_dibao').getByText('否', { exact: true }).click();
    expect(await page.locator('#act_propose_submit_members_0_name').inputValue()).not.toBe('');
    await screenshot(page, '13-proposal-prefilled');
    await page.getByTestId('act_propose_submit-submit').click();
    await page.getByTestId('action-done').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="current-step"]')?.textContent === '精准扶持');

    await page.locator('#act_support_submit_measures').getByText('产业扶贫').click();
    await page.locator('#act_support_submit_pairedUnit').fill('台山市农业农村局');
    await page.locator('#act_support_submit_responsiblePerson').fill('黄志强');
    await page.getByTestId('act_support_submit-submit').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="current-step"]')?.textContent === '民主评议');

    await page.locator('#act_appraisal_record_meetingDate').fill('2026-05-06');
    await page.locator('#act_appraisal_record_meetingDate').press('Enter');
    await page.locator('#act_appraisal_record_attendance').fill('31');
    await page.locator('#act_appraisal_record_votesFor').fill('27');
    await page.locator('#act_appraisal_record_votesAgainst').fill('2');
    await page.locator('#act_appraisal_record_minutes').fill('村民代表大会评议，同意纳入。');
    await page.getByTestId('act_appraisal_record-submit').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="current-step"]')?.textContent === '县级审核');
    await screenshot(page, '14-proposal-appraised');

    // The file lists the case.
    const file = await officer.get<{ cases: { id: string; workflow: string; finished: boolean }[] }>(`/api/households/${household.id}`);
    const open = file.cases.filter((c) => c.workflow === 'poverty-entry' && !c.finished);
    expect(open).toHaveLength(1);

    // The 台山 county reviewer finds it in the inbox and returns it for correction.
    const reviewer = await app.loggedIn('ts-reviewer');
    await reviewer.page.getByLabel('按户主姓名搜索').fill(household.headName);
    await reviewer.page.getByLabel('按户主姓名搜索').press('Enter');
    const row = reviewer.page.locator('.ant-table-row', { hasText: household.headName }).filter({ hasText: '县级审核' }).first();
    await row.waitFor();
    await screenshot(reviewer.page, '15-reviewer-inbox');
    await row.click();
    await reviewer.page.waitForURL(`**/cases/${open[0].id}`);
    await reviewer.page.getByTestId('current-step').waitFor();
    expect(await currentStep(reviewer.page)).toBe('县级审核');
    await reviewer.page.getByRole('tab', { name: '退回补正' }).click();
    await reviewer.page.locator('#act_countyReview_return_reason').fill('家庭成员收入未核实，请补充务工收入证明后重新申报。');
    await reviewer.page.getByTestId('act_countyReview_return-submit').click();
    await reviewer.page.waitForFunction(() => document.querySelector('[data-testid="current-step"]')?.textContent === '拟选对象');
    await screenshot(reviewer.page, '16-returned');
    await reviewer.context.close();

    // The officer sees it back at the proposal, corrects the income and resubmits.
    await page.reload();
    await page.waitForFunction(() => document.querySelector('[data-testid="current-step"]')?.textContent === '拟选对象');
    await page.locator('#act_propose_submit_perCapitaIncome').fill('4350');
    for (const field of ['hasLabourAbility', 'consent']) await page.locator(`#act_propose_submit_${field}`).getByText('是', { exact: true }).click();
    await page.locator('#act_propose_submit_dibao').getByText('否', { exact: true }).click();
    await page.getByTestId('act_propose_submit-submit').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="current-step"]')?.textContent === '精准扶持');
    const history = await officer.get<Array<{ eventType: string; action: string | null }>>(`/api/cases/${open[0].id}/history`);
    expect(history.filter((event) => event.eventType === 'action').map((event) => event.action)).toEqual(['submit', 'submit', 'record', 'return', 'submit']);

    // The officer notes what was done and attaches the income proof: both show on the case.
    const comments = page.getByTestId('case-comments');
    await comments.getByTestId('comment-send').click();
    expect(await comments.getByTestId('comment-problem').innerText()).toBe('请先填写意见内容');
    const note = '已补充户主务工收入证明（江门某厂工资流水），请县级审核。';
    await comments.getByTestId('comment-text').fill(note);
    const entriesBefore = await page.getByTestId('timeline-entry').count();
    await comments.getByTestId('comment-send').click();
    await page.getByTestId('timeline-entry').nth(entriesBefore).waitFor();
    const newest = page.getByTestId('timeline-entry').first();
    expect(await newest.innerText()).toContain('发表意见');
    expect(await newest.innerText()).toContain(`意见：${note}`);
    expect(await newest.innerText()).toContain('ts-officer');
    const attachments = page.getByTestId('case-attachments');
    await attachments.getByTestId('attachments-table').waitFor();
    await attachments.locator('input[type=file]').setInputFiles({ name: '务工收入证明.png', mimeType: 'image/png', buffer: tinyPng() });
    await attachments.locator('.ant-table-row', { hasText: '务工收入证明.png' }).waitFor();
    expect(await attachments.locator('.ant-table-row').allInnerTexts()).toEqual([expect.stringMatching(/^务工收入证明\.png\s+评议会议记录\s+1 KB/)]);
    // A PDF named .png is refused, in words.
    await attachments.locator('input[type=file]').setInputFiles({ name: '假照片.png', mimeType: 'image/png', buffer: Buffer.from('%PDF-1.4\n%%EOF\n') });
    await attachments.getByTestId('error-alert').waitFor();
    expect(await attachments.getByTestId('error-alert').innerText()).toContain('只接受 PDF、PNG、JPEG 或 WebP 文件，且文件扩展名须与内容一致。');
    await screenshot(page, '16b-case-comment-attachment');
    const verified = await officer.get<{ valid: boolean; replayMatches: boolean }>(`/api/cases/${open[0].id}/history/verify`);
    expect(verified).toMatchObject({ valid: true, replayMatches: true });
    const linked = await officer.get<Array<{ fileName: string }>>(`/api/households/${household.id}/attachments?caseId=${open[0].id}`);
    expect(linked.map((a) => a.fileName)).toEqual(['务工收入证明.png']);
    await context.close();
  }, 240_000);

  it('a citizen on a phone objects to a notice without logging in, and the town officer finds the objection task', async () => {
    const officer = await apiAs('ts-officer');
    const me = await officer.get<{ jurisdictionCode: string }>('/api/auth/me');
    const board = (await (await fetch(`${app.baseUrl}/api/public/notices?town=${me.jurisdictionCode}`)).json()) as { items: { householdName: string; town: string }[] };
    expect(board.items.length).toBeGreaterThan(0);
    const notice = board.items[0];

    const context = await app.browser.newContext({ baseURL: app.baseUrl, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    const page = await context.newPage();
    await page.goto('/login');
    await page.getByTestId('public-board-link').click();
    await page.waitForURL('**/public');
    await page.getByTestId('notice').first().waitFor();
    await screenshot(page, '15-public-board-phone');

    await page.getByRole('combobox', { name: '县（市、区）' }).click();
    await page.locator('.ant-select-item-option', { hasText: '台山市' }).click();
    await page.getByRole('combobox', { name: '镇（街道）' }).click();
    await page.locator('.ant-select-item-option', { hasText: notice.town }).click();
    const card = page.getByTestId('notice').filter({ hasText: notice.householdName }).first();
    await card.getByTestId('object-button').click();
    await page.getByTestId('objection-submit').click();
    await page.getByText('请填写异议内容').waitFor();
    await page.getByLabel('异议内容').fill('该户家中有人在外务工，收入未如实申报。');
    await page.getByLabel('姓名').fill('村民甲');
    await page.getByLabel('联系方式').fill('13800000000');
    // The honeypot is off the screen and out of the tab order: a person never fills it in.
    const trap = await page.getByTestId('honeypot').boundingBox();
    expect(trap!.x + trap!.width).toBeLessThanOrEqual(0);
    expect(await page.getByTestId('honeypot').getAttribute('tabindex')).toBe('-1');
    await page.getByTestId('objection-submit').click();
    await page.getByTestId('objection-reference').waitFor({ timeout: 20_000 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(page, '16-objection-receipt-phone');
    await context.close();

    const town = await app.loggedIn('ts-officer');
    await town.page.getByLabel('按户主姓名搜索').fill(notice.householdName);
    await town.page.getByLabel('按户主姓名搜索').press('Enter');
    const row = town.page.locator('.ant-table-row', { hasText: '异议核查' }).filter({ hasText: notice.householdName });
    await row.first().waitFor();
    await screenshot(town.page, '17-objection-task');
    await town.context.close();
  }, 180_000);

  it('a supervisor sees the overdue tasks per county and town with the numbers the API reports', async () => {
    const supervisor = await apiAs('jm-supervisor');
    const report = await supervisor.get<{ total: number; summary: { byCounty: { code: string; name: string | null; count: number }[]; byTown: { code: string; name: string | null; count: number }[] } }>(
      '/api/alerts/overdue?limit=1000',
    );
    const { page, context } = await app.loggedIn('jm-supervisor');
    await page.waitForURL('**/dashboard');
    await page.getByTestId('overdue-total').waitFor();
    expect(await page.getByTestId('overdue-total').innerText()).toBe(`共 ${report.total} 项逾期`);
    await page.getByTestId('plan-table').waitFor();
    // The daily digest card: the 08:00 mail's text as the API builds it (the "截至 …" time
    // and the overdue durations may move a minute between the two reads; title and lines do not).
    const digest = await supervisor.get<{ total: number; title: string | null; body: string | null }>('/api/notifications/digest');
    expect(digest.total).toBe(report.total);
    await page.getByTestId('digest-section').getByText('每日摘要').waitFor();
    if (digest.title === null || digest.body === null) {
      await page.getByTestId('digest-section').getByText('辖区内目前没有逾期待办。日报只在有逾期待办时发送。').waitFor();
    } else {
      expect(await page.getByTestId('digest-title').innerText()).toBe(digest.title);
      const lines = (await page.getByTestId('digest-body').innerText()).split('\n');
      expect(lines).toHaveLength(digest.body.split('\n').length);
      expect(lines.slice(1).map((line) => line.split('，已逾期')[0])).toEqual(digest.body.split('\n').slice(1).map((line) => line.split('，已逾期')[0]));
    }
    if (report.summary.byCounty.length === 0) {
      await page.getByText('辖区内没有逾期任务。').waitFor();
    } else {
      const rows = page.getByTestId('overdue-table').locator('.ant-table-row');
      await rows.first().waitFor();
      const shown = (await rows.allInnerTexts()).map((text) => text.split('\t').map((cell) => cell.trim()));
      expect(shown).toEqual(report.summary.byCounty.map((c) => [c.name ?? c.code, String(c.count)]));
      await page.locator('.ant-echarts, canvas').first().waitFor();
      await screenshot(page, '18-dashboard');

      const county = report.summary.byCounty[0];
      await rows.first().click();
      const towns = report.summary.byTown.filter((t) => t.code.startsWith(county.code));
      if (towns.length > 0) {
        await page.waitForFunction((name) => document.querySelector('[data-testid="overdue-table"] .ant-table-row')?.textContent?.includes(name), towns[0].name ?? towns[0].code);
        const townRows = (await page.getByTestId('overdue-table').locator('.ant-table-row').allInnerTexts()).map((text) => text.split('\t').map((cell) => cell.trim()));
        expect(townRows).toEqual(towns.map((t) => [t.name ?? t.code, String(t.count)]));
        await page.getByTestId('overdue-table').locator('.ant-table-row').first().click();
        await page.getByTestId('overdue-cases').waitFor();
        await screenshot(page, '19-dashboard-cases');
      }
    }
    await screenshot(page, '18-dashboard');

    // 新建案件: a rectification is worked on by the county, so it is placed in one; the start form is the definition's, in its order.
    await page.getByRole('menuitem', { name: '新建案件' }).click();
    await page.getByRole('radio', { name: /限期整改/ }).click();
    const panel = page.getByTestId('new-case-rectification');
    // allInnerTexts does not wait: the start form comes after the workflow list has loaded.
    await panel.locator('form .ant-form-item-label label').nth(3).waitFor();
    expect(await panel.locator('form .ant-form-item-label label').allInnerTexts()).toEqual(['整改单位代码', '整改单位', '存在问题', '通报文号']);
    await page.locator('#start_rectification_unitCode').fill('440781');
    await page.locator('#start_rectification_unitName').fill('台山市');
    await page.locator('#start_rectification_problems').fill('帮扶措施落实不到位，需限期整改。');
    await page.getByTestId('start_rectification-submit').click();
    await panel.getByText('请选择案件所属区划').waitFor();
    await panel.locator('.ant-select').click();
    await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-tree-title', { hasText: /^台山市$/ }).click();
    await screenshot(page, '19b-new-case-rectification');
    await page.getByTestId('start_rectification-submit').click();
    await page.waitForURL('**/cases/**');
    await page.getByTestId('current-step').waitFor();
    expect(await currentStep(page)).toBe('提交整改方案');
    await context.close();
  }, 180_000);
});
