/**
 * The shapes of the public REST API as this app reads them (see the OpenAPI document at
 * /api/docs). Dates arrive as ISO strings.
 */

export type Role = 'officer' | 'reviewer' | 'approver' | 'supervisor' | 'administrator' | 'auditor';

/** Every error body: `details.code` is the stable code to branch on. */
export interface ApiErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: { code?: string; [key: string]: unknown };
}

export interface TokenPair {
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
}

export interface AuthUser {
  id: string;
  username: string;
  displayName: string;
  roles: Role[];
  jurisdictionCode: string;
  permissions: string[];
}

export const FIELD_TYPES = ['string', 'text', 'integer', 'number', 'boolean', 'date', 'enum', 'list', 'table', 'residentId'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** A form field of a definition (src/engine/workflow-definition.ts FieldDefinition). */
export interface FieldDefinition {
  type: FieldType;
  label: string;
  labelEn?: string;
  required?: boolean;
  options?: string[];
  optionLabels?: Record<string, string>;
  optionLabelsEn?: Record<string, string>;
  min?: number;
  max?: number;
  maxLength?: number;
  columns?: Record<string, FieldDefinition>;
  maxItems?: number;
}

export type ActionKind = 'submit' | 'approve' | 'return' | 'reject' | 'object' | 'decide' | 'complete';

export interface AvailableAction {
  step: string;
  stepLabel: string;
  action: string;
  label: string;
  labelEn?: string;
  kind: ActionKind;
  fields: Record<string, FieldDefinition>;
}

export interface OpenTask {
  id: string;
  step: string;
  role: Role;
  level: string;
  jurisdictionCode: string;
  assigneeId: string | null;
  openedAt: string;
  dueAt: string | null;
}

export interface CaseView {
  id: string;
  workflow: { key: string; version: number; label: string; labelEn?: string };
  title: string | null;
  status: string;
  finished: boolean;
  jurisdictionCode: string;
  data: Record<string, unknown>;
  currentSteps: { key: string; label: string; labelEn?: string; entry: number; enteredAt: string }[];
  openTasks: OpenTask[];
  availableActions: AvailableAction[];
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** The parts of a workflow definition this app reads (GET /api/cases/:id/definition). */
export interface ActionDefinition {
  label: string;
  labelEn?: string;
  kind: ActionKind;
  target?: string;
  branches?: { target: string; label?: string }[];
  returnTo?: string[];
  fields?: Record<string, FieldDefinition>;
  guardMessage?: string;
  withdrawable?: boolean;
  system?: boolean;
}

export interface StepDefinition {
  label: string;
  labelEn?: string;
  type?: 'task' | 'parallel' | 'final';
  role?: Role;
  level?: string;
  actions?: Record<string, ActionDefinition>;
  countersign?: { mode: string; approve: string; reject: string };
  regions?: Record<string, { label?: string; labelEn?: string; initial: string; steps: Record<string, StepDefinition> }>;
  onDone?: string;
  assignment?: { transfer?: boolean; delegate?: boolean; addSigner?: boolean };
}

export interface WorkflowDefinition {
  key: string;
  version: number;
  label: string;
  labelEn?: string;
  description?: string;
  start: { role: Role; level: string; fields?: Record<string, FieldDefinition> };
  titleField?: string;
  initial: string;
  steps: Record<string, StepDefinition>;
}

export interface CaseDefinition {
  key: string;
  version: number;
  definition: WorkflowDefinition;
}

export interface HistoryActor {
  kind: 'user' | 'system';
  id: string | null;
  username: string | null;
  roles: Role[];
  onBehalfOf?: string;
}

export interface HistoryEntry {
  seq: number;
  eventType: string;
  action: string | null;
  actor: HistoryActor;
  payload: Record<string, unknown>;
  at: string;
  hash: string;
  prevHash: string;
}

/** GET /api/cases/:id/history/verify: the hash chain, and whether replaying it gives the stored state. */
export interface VerifyResult {
  caseId: string;
  valid: boolean;
  length: number;
  firstBrokenSeq?: number;
  reason?: string;
  replayMatches: boolean;
  replayError?: string;
}

export type Assignment = 'assigned' | 'offered' | 'signer' | 'delegated-away';

export interface InboxItem {
  taskId: string;
  caseId: string;
  caseVersion: number;
  workflow: { key: string; version: number; label: string };
  step: { key: string; label: string | null };
  role: Role;
  level: string;
  jurisdictionCode: string;
  caseJurisdictionCode: string;
  title: string | null;
  dueAt: string | null;
  overdue: boolean;
  openedAt: string;
  assignment: Assignment;
  assigneeId: string | null;
  ownerId: string | null;
}

export interface InboxPage {
  items: InboxItem[];
  nextCursor: string | null;
}

export interface InboxQuery {
  workflow?: string;
  step?: string;
  overdue?: boolean;
  dueAfter?: string;
  dueBefore?: string;
  q?: string;
  limit?: number;
  cursor?: string;
}

export interface BatchItem {
  taskId: string;
  action: string;
  expectedVersion: number;
  data?: Record<string, unknown>;
  comment?: string;
}

export interface BatchItemResult {
  taskId: string;
  status: number;
  caseId?: string;
  version?: number;
  error?: { code: string; message: string };
}

export interface BatchResult {
  results: BatchItemResult[];
  succeeded: number;
  failed: number;
}

export interface TaskCandidate {
  id: string;
  username: string;
  displayName: string;
}

export interface TaskDetail {
  id: string;
  caseId: string;
  step: string;
  status: string;
  role: Role;
  level: string;
  jurisdictionCode: string;
  assigneeId: string | null;
  ownerId: string | null;
  pendingAction: { action: string; actorId: string } | null;
  signers: { userId: string; kind: string; status: string; decision: string | null }[];
  allowed: { transfer: boolean; delegate: boolean; addSigner: boolean };
  handOverTo: TaskCandidate[];
  signerCandidates: TaskCandidate[];
}

export interface WorkflowSummary {
  key: string;
  label: string;
  labelEn: string | null;
  latestVersion: number;
  versions: { version: number; status: string; publishedAt: string; cases: number; running: number }[];
}

export interface CalendarYear {
  year: number;
  published: boolean;
  lastPublishedYear: number | null;
  holidays: string[];
  workdays: string[];
}

export interface JurisdictionNode {
  code: string;
  name: string;
  level: string;
  [key: string]: unknown;
}

export interface NotificationItem {
  id: string;
  caseId: string | null;
  kind: string;
  title: string;
  body: string;
  createdAt: string;
  readAt: string | null;
}

export interface NotificationPage {
  items: NotificationItem[];
  nextCursor: string | null;
  unreadCount: number;
}
