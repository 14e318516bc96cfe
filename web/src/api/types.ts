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
  /** The household file the case is about (its attachments are kept there); null when started without one. */
  householdId: string | null;
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

/** POST/GET /api/cases/:id/comments: a `comment` row of the case's history. */
export interface CaseComment {
  seq: number;
  at: string;
  actor: HistoryActor;
  text: string;
}

/** A file of a household (GET /api/households/:id/attachments), possibly documenting one of its cases. */
export interface HouseholdAttachment {
  id: string;
  kind: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
  caseId: string | null;
  uploadedAt: string;
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

/** `GET /api/workflows/steps`: the steps the user's tasks can be in, per workflow, in the definition's order. */
export interface WorkflowTaskSteps {
  key: string;
  label: string;
  labelEn: string | null;
  steps: { key: string; label: string; labelEn: string | null }[];
}

export type Level = 'city' | 'county' | 'town' | 'village';

export interface WorkflowName {
  key: string;
  label: string;
  labelEn: string | null;
}

/** GET /api/workflows/startable: a workflow the user may start, with its start form (fields in the author's order). */
export interface StartableWorkflow extends WorkflowName {
  version: number;
  start: { role: Role; level: Level; fields: Record<string, FieldDefinition> };
  /** The case is placed at `level` or below in the user's subtree; `required`: the user's own node is above it. */
  jurisdiction: { level: Level; required: boolean };
  /** Started from a household file (POST /api/households/:id/cases): the statuses it starts from, the fields the file fills. */
  household: { statuses: RegisterStatus[]; fromFile: string[] } | null;
  /** The workflows whose call steps start it. */
  calledBy: WorkflowName[];
}

/** One problem of a form the API refused (`details.issues`): `field` is a path such as `members.0.age`. */
export interface FieldIssue {
  field: string;
  message: string;
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

// ---- The public notice board (docs/public-board.md) ----

export interface PublicNotice {
  id: string;
  householdName: string;
  /** County + town name, 台山市端芬镇. */
  town: string;
  village: string | null;
  proposal: string;
  period: { start: string; end: string | null };
}

export interface PublicNoticePage {
  items: PublicNotice[];
  total: number;
  page: number;
  pageSize: number;
}

export interface FormToken {
  formToken: string;
  notBefore: string;
  expiresAt: string;
}

export interface ObjectionReceipt {
  reference: string;
  receivedAt: string;
  message: string;
}

// ---- Alerts and plans (docs/plans.md, src/alerts) ----

export interface OverdueCount {
  code: string;
  name: string | null;
  count: number;
}

/** One item of overdue work: an open task, or a call step waiting for the case it called (no task). */
export interface OverdueTask {
  kind: 'task' | 'call';
  /** Null for a call step. */
  taskId: string | null;
  caseId: string;
  title: string | null;
  workflow: { key: string; label: string };
  step: { key: string; label: string | null; entry: number };
  jurisdictionCode: string;
  jurisdictionName: string | null;
  dueAt: string;
  dueAtText: string;
  overdue: { seconds: number; days: number; text: string };
  /** A call step: the called case it waits for. Null for a task. */
  waitingFor: { caseId: string; title: string | null; workflow: { key: string; label: string }; status: string; steps: { key: string; label: string | null }[] } | null;
}

/** GET /api/notifications/digest: the 08:00 mail as it would read now; title and body null when nothing is overdue. */
export interface DigestContent {
  date: string;
  jurisdictionCode: string;
  jurisdictionName: string;
  total: number;
  title: string | null;
  body: string | null;
}

export interface OverdueReport {
  now: string;
  jurisdictionCode: string;
  total: number;
  items: OverdueTask[];
  summary: { byCounty: OverdueCount[]; byTown: OverdueCount[] };
}

export interface CircularUnit {
  code: string;
  name: string | null;
  overdue: number;
  stillOpen: number;
  escalations: number;
  towns: { code: string; name: string | null; overdue: number; stillOpen: number }[];
}

export interface CircularReport {
  title: string;
  period: { from: string; to: string };
  units: CircularUnit[];
}

export interface UnitFigures {
  target: number | null;
  exitedPeople: number;
  exitedCases: number;
  pipelinePeople: number;
  pipelineCases: number;
  overdueTasks: number;
  percentage: number | null;
  expectedByNow: number | null;
  behind: boolean | null;
}

export interface PlanProgress {
  year: number;
  asOf: string;
  elapsedShare: number;
  scope: { code: string; name: string | null };
  total: UnitFigures;
  counties: Array<{ code: string; name: string } & UnitFigures>;
  towns: Array<{ code: string; name: string; countyCode: string } & UnitFigures>;
}

// ---- Household files (docs/households.md) ----

export type RegisterStatus = 'none' | 'registered' | 'exited' | 'reentered';

export interface HouseholdListItem {
  id: string;
  villageCode: string;
  villageName: string | null;
  headName: string;
  rural: boolean;
  dibao: boolean;
  registerStatus: RegisterStatus;
  registeredOn: string | null;
  exitedOn: string | null;
  memberCount: number;
  version: number;
  updatedAt: string;
}

export interface HouseholdPage {
  total: number;
  limit: number;
  offset: number;
  items: HouseholdListItem[];
}

export interface HouseholdQuery {
  jurisdiction?: string;
  status?: RegisterStatus;
  rural?: boolean;
  dibao?: boolean;
  name?: string;
  limit?: number;
  offset?: number;
}

export interface HouseholdMember {
  id: string;
  name: string;
  relation: string;
  age: number;
  labourAbility: boolean;
  disability?: boolean;
  schooling?: string | null;
  inSchool?: boolean;
  healthInsurance?: boolean;
  /** Masked as the API sends it (4407**********2412). */
  residentId?: string | null;
  [key: string]: unknown;
}

export interface HouseholdFile {
  id: string;
  villageCode: string;
  county: { code: string; name: string | null };
  town: { code: string; name: string | null };
  village: { code: string; name: string | null };
  headName: string;
  address: string | null;
  rural: boolean;
  dibao: boolean;
  consent: boolean | null;
  registerStatus: RegisterStatus;
  registerStatusLabel: string;
  registeredOn: string | null;
  exitedOn: string | null;
  reenteredOn: string | null;
  members: HouseholdMember[];
  incomes: { year: number; records: { id: string; source: string; amount: number; note: string | null }[]; total: number | null; perCapita: number | null }[];
  checklists: { year: number; items: Record<string, boolean>; checkedOn: string | null }[];
  plan: { measures: string[]; pairedUnit: string | null; responsiblePerson: string | null; volunteers: { name: string; partyMember: boolean }[]; summary: string | null } | null;
  visits: { id: string; visitedOn: string; visitorName: string; visitorRole: string | null; leader: boolean; notes: string | null }[];
  attachments: HouseholdAttachment[];
  cases: { id: string; workflow: string; status: string; title: string | null; finished: boolean; createdAt: string }[];
  access?: string;
  version: number;
}

export interface HouseholdVersion {
  version: number;
  at: string;
  actorUsername?: string | null;
  kind: string;
  changes: { path: string; from: unknown; to: unknown }[];
  caseId?: string | null;
  [key: string]: unknown;
}

export interface DecisionLine {
  rule: string;
  label: string;
  labelEn: string;
  figure: number | boolean | string | null;
  comparison: string;
  threshold: unknown;
  pass: boolean;
  explanation: string;
  explanationEn: string;
}

export interface EligibilityReport {
  year: number;
  rulesYear: number;
  memberCount: number;
  totalIncome: number | null;
  perCapitaIncome: number | null;
  entry: { pass: boolean; lines: DecisionLine[] };
  exit: { pass: boolean; lines: DecisionLine[] };
  notes: { note: string; noteEn: string }[];
}

export interface StartedHouseholdCase {
  case: CaseView;
  prefill: { step: string; action: string; data: Record<string, unknown> } | null;
}

// ---- Administration ----

export interface ManagedUser extends AuthUser {
  email: string | null;
  active: boolean;
  locked: boolean;
  lockedUntil: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface UserInput {
  username?: string;
  displayName?: string;
  password?: string;
  roles?: Role[];
  jurisdictionCode?: string;
  email?: string | null;
  permissions?: string[];
  active?: boolean;
}

export interface YearlyRules {
  year: number;
  povertyLine: number;
  ruralLowLine: number;
  lowLineCounties: string[];
  urbanDibaoStandard: number;
  urbanExitRatio: number;
  ruralMeanIncome: number;
  ruralExitRatio: number;
  checklist: { key: string; label: string; labelEn: string }[];
  villageCollectiveIncomeTarget: number | null;
  placeholders: string[];
  [key: string]: unknown;
}

export interface EmailDelivery {
  id: string;
  username: string | null;
  to: string;
  subject: string;
  status: string;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  failedAt: string | null;
}

export interface EmailList {
  status: string;
  count: number;
  items: EmailDelivery[];
}
