import type { FieldDefinition, HistoryEntry, WorkflowDefinition } from '../../api/types';
import { hasKey, type Locale, type Translate } from '../../i18n/i18n';
import { actionOf, allSteps } from './definition-labels';
import { valueText } from './value-text';

/** The withdrawal's action key in the history (src/engine/withdraw.ts WITHDRAW_ACTION). */
const WITHDRAW_ACTION = '$withdraw';

export interface EventText {
  title: string;
  /** The step it happened in, when the event names one. */
  step?: string;
  comment?: string;
  /** The form data it carried, as "label: value". */
  data: string[];
  color: 'blue' | 'green' | 'red' | 'gray';
}

interface Labels {
  t: Translate;
  /** A key built from the API's values: its text, or the missing-key sentinel. */
  tx(key: string, vars?: Record<string, string | number>): string;
  label(item: { label: string; labelEn?: string | null } | undefined, fallback?: string): string;
  locale: Locale;
}

function dataLines(data: unknown, fields: Record<string, FieldDefinition>, labels: Labels): string[] {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return [];
  return Object.entries(data as Record<string, unknown>).map(
    ([key, value]) => `${labels.label(fields[key], key)}：${valueText(fields[key], value, labels.t, labels.locale)}`,
  );
}

/** One history row in words (the timeline, and what changed after a conflict). */
export function describeEvent(entry: HistoryEntry, definition: WorkflowDefinition, fields: Record<string, FieldDefinition>, labels: Labels): EventText {
  const { t, tx, label } = labels;
  const payload = entry.payload ?? {};
  const stepKey = typeof payload.step === 'string' ? payload.step : undefined;
  const step = stepKey ? label(allSteps(definition).get(stepKey), stepKey) : undefined;
  const comment = typeof payload.comment === 'string' ? payload.comment : typeof payload.reason === 'string' ? payload.reason : undefined;
  switch (entry.eventType) {
    case 'started':
      return { title: t('timeline.started'), data: dataLines(payload.data, fields, labels), color: 'gray' };
    case 'action': {
      if (entry.action === WITHDRAW_ACTION) return { title: t('timeline.withdrawn'), step, comment, data: [], color: 'gray' };
      const action = stepKey && entry.action ? actionOf(definition, stepKey, entry.action) : undefined;
      const kind = action?.kind;
      return {
        title: label(action, entry.action ?? ''),
        step,
        comment,
        data: dataLines(payload.input, fields, labels),
        color: kind === 'return' || kind === 'reject' ? 'red' : 'green',
      };
    }
    case 'comment':
      // POST /api/cases/:id/comments: a comment beside the actions, moving nothing.
      return { title: t('timeline.commented'), comment: typeof payload.text === 'string' ? payload.text : undefined, data: [], color: 'blue' };
    case 'deadline':
      return { title: tx(`timeline.deadline.${entry.action}`), step, data: [], color: entry.action === 'reminder' ? 'blue' : 'red' };
    case 'task.voted': {
      const tally = payload.tally as { approvals?: number; rejections?: number; voters?: number } | undefined;
      const vote = stepKey && typeof payload.vote === 'string' ? label(actionOf(definition, stepKey, payload.vote), payload.vote) : '';
      return {
        title: t('timeline.voted', { vote, approvals: tally?.approvals ?? 0, rejections: tally?.rejections ?? 0, voters: tally?.voters ?? 0 }),
        step,
        comment,
        data: dataLines(payload.data, fields, labels),
        color: 'blue',
      };
    }
    case 'task.action-held': {
      const held = stepKey && typeof payload.action === 'string' ? label(actionOf(definition, stepKey, payload.action), payload.action) : '';
      return { title: t('timeline.actionHeld', { action: held }), step, comment, data: [], color: 'blue' };
    }
    default: {
      // task.claimed, task.transferred …: the table has a sentence for each; one it lacks shows as missing.
      const key = `timeline.${entry.eventType}`;
      const vars = {
        to: String(payload.toUsername ?? ''),
        signer: String(payload.signerUsername ?? ''),
        position: payload.position === 'before' ? t('task.before') : payload.position === 'after' ? t('task.after') : '',
        decision: payload.decision === 'agree' ? t('task.agree') : payload.decision === 'disagree' ? t('task.disagree') : '',
      };
      return { title: hasKey(key) ? t(key, vars) : tx(key), step, comment, data: [], color: 'gray' };
    }
  }
}
