/**
 * The shape of a workflow definition: what a YAML file in `workflows/` holds once
 * parsed. Definitions are data, never code; everything here is plain JSON.
 *
 * Keys (workflow, steps, actions, fields) are stable English identifiers;
 * `label` is the Chinese name shown to users, `labelEn` its English translation.
 */

import type { CountersignDefinition } from './countersign.js';

export type { CountersignDefinition, CountersignMode } from './countersign.js';

/** Roles a user can hold. A definition may only name these. */
export const ROLES = ['officer', 'reviewer', 'approver', 'supervisor', 'administrator', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Levels of the jurisdiction tree (市-县-镇-村). A step acted on at `county` level is
 * offered to the users bound to the county node that contains the case.
 */
export const LEVELS = ['city', 'county', 'town', 'village'] as const;
export type Level = (typeof LEVELS)[number];

/** What an action means, for people and for later features (inbox, statistics, withdraw). */
export const ACTION_KINDS = [
  'submit', // hand the case on to the next step
  'approve',
  'return', // return for correction (补正) to an earlier step
  'reject', // end the procedure with a negative outcome
  'object', // an objection during a public notice
  'decide', // a recorded decision whose outcome picks a branch
  'complete', // finish a step without judgement (e.g. the notice period is over)
] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

export const FIELD_TYPES = ['string', 'text', 'integer', 'number', 'boolean', 'date', 'enum', 'list', 'table', 'residentId'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/**
 * A form field an action (or the start of a case) requires. `residentId` is an 18-character
 * resident ID (GB 11643), plain or sealed by the shell (`{ masked, token }`).
 */
export interface FieldDefinition {
  type: FieldType;
  label: string;
  labelEn?: string;
  required?: boolean;
  /** `enum` and `list`: the allowed values. */
  options?: string[];
  /** `enum` and `list`: what to show for an option instead of its value (option → label), e.g. a step's name. */
  optionLabels?: Record<string, string>;
  optionLabelsEn?: Record<string, string>;
  /** `integer` / `number`: inclusive bounds. */
  min?: number;
  max?: number;
  /** `string` / `text`: maximum length in characters. */
  maxLength?: number;
  /** `table`: the columns of each row. */
  columns?: Record<string, FieldDefinition>;
  /** `list` / `table`: maximum number of items. */
  maxItems?: number;
}

/**
 * A guard: an expression of the closed JSON expression language
 * (see guard-expression.ts), e.g. `{ "<": [{ "var": "data.income" }, { "var": "params.povertyLine" }] }`.
 */
export type Expression = null | boolean | number | string | Expression[] | { [operator: string]: Expression };

/**
 * A duration: `5wd` (working days on China's statutory calendar), `7d` (natural days),
 * `12h`, or ISO 8601 (`P7D`, `PT12H`).
 */
export type Duration = string;

export interface EscalationRung {
  /** Time after the due time at which this rung fires (`0wd` = at the due time). */
  after: Duration;
  /** Who is alerted: the users with this role at this level over the case's jurisdiction. */
  notify: { role: Role; level: Level };
  /** The last rung opens a case of this workflow (e.g. `accountability-interview`). */
  openCase?: string;
}

export interface DeadlineDefinition {
  duration: Duration;
  /** Remind the assignee this long before the due time. */
  reminderBefore?: Duration;
  /** On return for correction the clock stops; `restartOnReturn` starts it afresh instead. */
  restartOnReturn?: boolean;
  /** An action the system takes by itself when the time is up (e.g. the end of a notice period). */
  onExpire?: string;
  escalation?: EscalationRung[];
}

/** One branch of a decision: the first whose `when` holds (or that has none) is taken. */
export interface BranchDefinition {
  when?: Expression;
  target: string;
  label?: string;
}

export interface ActionDefinition {
  label: string;
  labelEn?: string;
  kind: ActionKind;
  /** The step the case moves to. Exactly one of `target`, `branches` and `returnTo`. */
  target?: string;
  branches?: BranchDefinition[];
  /**
   * `return` only: the earlier steps (task steps of the same scope) the user may send the
   * case back to; the choice is the form field `returnStep` (see return-to.ts).
   */
  returnTo?: string[];
  /** Fields the action takes; their values are merged into the case data. */
  fields?: Record<string, FieldDefinition>;
  /** Must hold (over the case data with this action's input merged in) for the action to be allowed. */
  guard?: Expression;
  /** Said to the user when the guard fails. */
  guardMessage?: string;
  /** Only the system (a deadline, a job) may take this action. */
  system?: boolean;
  /** The action is also allowed to the system (e.g. closing a notice period on time). */
  allowSystem?: boolean;
  /**
   * Whoever took the action may withdraw it (撤回) while the step it led to has not been
   * acted on: the case goes back to this step, entered anew. Only between top-level task
   * steps, with a `target` (see withdraw.ts).
   */
  withdrawable?: boolean;
}

export type StepType = 'task' | 'parallel' | 'final' | 'call';

/** `call`: the definition a call step starts a child case of, and the child's start data. */
export interface CallDefinition {
  workflow: string;
  /** Start data of the child case, each value an expression over the parent case. */
  input?: Record<string, Expression>;
}

export interface RegionDefinition {
  label?: string;
  labelEn?: string;
  initial: string;
  steps: Record<string, StepDefinition>;
}

export interface StepDefinition {
  label: string;
  labelEn?: string;
  /** Defaults to `task`. */
  type?: StepType;
  /** `task`: who acts on the step. */
  role?: Role;
  level?: Level;
  actions?: Record<string, ActionDefinition>;
  /**
   * `task`: the step is decided by the votes of everyone holding its role at its level
   * (会签 / 或签 / 票签), see countersign.ts; `approve` and `reject` are actions of the step.
   */
  countersign?: CountersignDefinition;
  deadline?: DeadlineDefinition;
  /** `parallel`: the branches that run at once; the step is done when every branch reaches a final step. */
  regions?: Record<string, RegionDefinition>;
  /** `parallel`: where the case goes when every branch is done. */
  onDone?: string;
  /** `call`: the child case to start. */
  call?: CallDefinition;
  /** `call`: where the case goes once the child case ends; `{ var: 'child.status' }` is its final status. */
  outcomes?: BranchDefinition[];
  /** `final` at top level: the case status it ends with (e.g. `registered`, `rejected`). */
  status?: string;
  /** A case status while the case is in this (non-final) step, e.g. `monitoring`. */
  caseStatus?: string;
  /**
   * `task`: what the people on the step may do besides acting — transfer it (转办) to another
   * eligible colleague, delegate it (委托) and take it back, add a signer before or after
   * themselves (加签). Each is allowed unless set to false (a statutory step may forbid them).
   */
  assignment?: StepAssignmentOptions;
}

export interface StepAssignmentOptions {
  transfer?: boolean;
  delegate?: boolean;
  addSigner?: boolean;
}

export interface WorkflowDefinition {
  key: string;
  version: number;
  label: string;
  labelEn?: string;
  description?: string;
  /** Who may start a case. */
  start: { role: Role; level: Level; fields?: Record<string, FieldDefinition> };
  /** Who besides the case's own jurisdiction may look at its cases. */
  access?: {
    /** Users of a county that helps (对口帮扶) the case's county may read its cases (never act). */
    pairedCountyRead?: boolean;
  };
  /** Names the case data field holding the household name shown in lists. */
  titleField?: string;
  /** Configuration read by guards as `params.*` (e.g. the poverty line), not code. */
  params?: Record<string, Expression>;
  initial: string;
  steps: Record<string, StepDefinition>;
}
