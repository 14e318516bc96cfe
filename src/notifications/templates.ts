import type { OverdueReport } from '../alerts/overdue-alerts.service.js';
import { beijingDateTime } from '../alerts/time-text.js';

/**
 * The Chinese wording of every notification, in one place. Each returns the in-app title
 * (also the mail subject) and the body (also the mail text). Pure functions.
 */
export interface NotificationText {
  title: string;
  body: string;
}

/** A case without a household name (a title) is named by its workflow. */
function caseName(title: string | null, workflowLabel: string): string {
  return title?.trim() || workflowLabel || '案件';
}

export function caseReturnedText(input: {
  title: string | null;
  workflowLabel: string;
  /** The step the case was returned from. */
  fromStep: string;
  /** The steps now waiting for the recipients. */
  toSteps: string[];
  reason: string | null;
}): NotificationText {
  const name = caseName(input.title, input.workflowLabel);
  const lines = [
    `「${name}」（${input.workflowLabel}）在「${input.fromStep}」环节被退回补正。`,
    ...(input.toSteps.length > 0 ? [`请在「${input.toSteps.join('」「')}」环节补正材料后重新提交。`] : []),
    ...(input.reason ? [`退回原因：${input.reason}`] : []),
  ];
  return { title: `案件退回补正：${name}`, body: lines.join('\n') };
}

export function caseFinishedText(input: { title: string | null; workflowLabel: string; finalStep: string; status: string }): NotificationText {
  const name = caseName(input.title, input.workflowLabel);
  return {
    title: `办结：${name}`,
    body: `您发起的「${name}」（${input.workflowLabel}）已办结，结果：${input.finalStep}（${input.status}）。`,
  };
}

/** A task a migration to a newer version handed to the recipients (its step's role or level changed). */
export function taskReassignedText(input: { title: string | null; workflowLabel: string; step: string; version: number }): NotificationText {
  const name = caseName(input.title, input.workflowLabel);
  return {
    title: `新待办：${name}`,
    body: `「${name}」（${input.workflowLabel}）的「${input.step}」环节随流程升级到第 ${input.version} 版改由您办理，请在待办中处理。`,
  };
}

/** How many overdue tasks a digest lists by name; the rest are counted, the API has them all. */
export const DIGEST_MAX_ITEMS = 50;

export function overdueDigestText(input: { date: string; jurisdictionName: string; report: OverdueReport }): NotificationText {
  const { report } = input;
  const lines = report.items.slice(0, DIGEST_MAX_ITEMS).map((item, index) => {
    const where = item.jurisdictionName ?? item.jurisdictionCode;
    const step = item.step.label ?? item.step.key;
    const head = `${index + 1}. ${caseName(item.title, item.workflow.label)}（${item.workflow.label}·${step}，${where}）`;
    if (!item.waitingFor) return `${head}应于 ${item.dueAtText} 前办理，已逾期 ${item.overdue.text}`;
    // A call step: nobody acts on it; the case it called has not finished in time.
    const called = item.waitingFor;
    const at = called.steps.length > 0 ? `，现处「${called.steps.map((s) => s.label ?? s.key).join('」「')}」环节` : '';
    return `${head}等待「${called.workflow.label}」办结${at}，应于 ${item.dueAtText} 前办结，已逾期 ${item.overdue.text}`;
  });
  const more = report.total - lines.length;
  // The split by county only says something when there is more than one.
  const counties =
    report.summary.byCounty.length > 1 ? `（${report.summary.byCounty.map((c) => `${c.name ?? c.code} ${c.count} 件`).join('，')}）` : '';
  return {
    title: `逾期待办日报（${input.date}）：${input.jurisdictionName}共 ${report.total} 件`,
    body: [
      `截至 ${beijingDateTime(report.now)}，${input.jurisdictionName}辖区内共有 ${report.total} 件待办已逾期${counties}：`,
      ...lines,
      ...(more > 0 ? [`……另有 ${more} 件，请在“逾期预警”（GET /api/alerts/overdue）中查看全部。`] : []),
    ].join('\n'),
  };
}
