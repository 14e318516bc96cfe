import type { ApiClient } from './client';
import type {
  AdminWorkflowSummary,
  DefinitionDiff,
  DraftValidation,
  DraftView,
  MigrationReport,
  MigrationRun,
  PublishResult,
  SourceFormat,
  StoredVersion,
  WhatIfReport,
} from './definition-types';
import type {
  AuthUser,
  BatchItem,
  BatchResult,
  CalendarYear,
  CircularReport,
  EligibilityReport,
  EmailList,
  FormToken,
  HouseholdFile,
  HouseholdPage,
  HouseholdQuery,
  HouseholdVersion,
  ManagedUser,
  ObjectionReceipt,
  DigestContent,
  OverdueReport,
  PlanProgress,
  PublicNoticePage,
  StartedHouseholdCase,
  UserInput,
  YearlyRules,
  CaseComment,
  CaseDefinition,
  HouseholdAttachment,
  CaseView,
  HistoryEntry,
  InboxPage,
  InboxQuery,
  JurisdictionNode,
  NotificationPage,
  TaskDetail,
  VerifyResult,
  WorkflowSummary,
  WorkflowTaskSteps,
  StartableWorkflow,
} from './types';

/** The API's routes this app calls, typed. */
export function endpoints(api: ApiClient) {
  const id = encodeURIComponent;
  return {
    me: () => api.get<AuthUser>('/api/auth/me'),
    inbox: (query: InboxQuery) => api.get<InboxPage>('/api/tasks', { ...query }),
    batch: (items: BatchItem[]) => api.post<BatchResult>('/api/tasks/batch', { items }),
    workflows: () => api.get<WorkflowSummary[]>('/api/workflows'),
    workflowSteps: () => api.get<WorkflowTaskSteps[]>('/api/workflows/steps'),
    startableWorkflows: () => api.get<StartableWorkflow[]>('/api/workflows/startable'),
    /** Starts a case (no household file); `jurisdiction` defaults to the user's own node. */
    startCase: (body: { workflow: string; data: Record<string, unknown>; jurisdiction?: string }) => api.post<CaseView>('/api/cases', body),
    getCase: (caseId: string) => api.get<CaseView>(`/api/cases/${id(caseId)}`),
    caseDefinition: (caseId: string) => api.get<CaseDefinition>(`/api/cases/${id(caseId)}/definition`),
    history: (caseId: string) => api.get<HistoryEntry[]>(`/api/cases/${id(caseId)}/history`),
    verify: (caseId: string) => api.get<VerifyResult>(`/api/cases/${id(caseId)}/history/verify`),
    act: (caseId: string, body: { action: string; step?: string; data?: Record<string, unknown>; comment?: string; expectedVersion: number }, idempotencyKey?: string) =>
      api.post<CaseView>(`/api/cases/${id(caseId)}/actions`, body, idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : undefined),
    withdraw: (caseId: string, body: { expectedVersion: number; reason?: string }) => api.post<CaseView>(`/api/cases/${id(caseId)}/withdraw`, body),
    addComment: (caseId: string, text: string) => api.post<CaseComment>(`/api/cases/${id(caseId)}/comments`, { text }),
    task: (taskId: string) => api.get<TaskDetail>(`/api/tasks/${id(taskId)}`),
    claim: (taskId: string, reason?: string) => api.post(`/api/tasks/${id(taskId)}/claim`, { reason }),
    release: (taskId: string, reason?: string) => api.post(`/api/tasks/${id(taskId)}/release`, { reason }),
    transfer: (taskId: string, to: string, reason: string) => api.post(`/api/tasks/${id(taskId)}/transfer`, { to, reason }),
    delegate: (taskId: string, to: string, reason: string) => api.post(`/api/tasks/${id(taskId)}/delegate`, { to, reason }),
    takeBack: (taskId: string, reason?: string) => api.post(`/api/tasks/${id(taskId)}/take-back`, { reason }),
    addSigner: (taskId: string, userId: string, position: 'before' | 'after', reason: string) =>
      api.post(`/api/tasks/${id(taskId)}/signers`, { userId, position, reason }),
    sign: (taskId: string, decision: 'agree' | 'disagree', comment?: string) => api.post(`/api/tasks/${id(taskId)}/sign`, { decision, comment }),
    calendarYear: (year: number) => api.get<CalendarYear>(`/api/calendar/years/${year}`),
    notifications: (query: { unread?: boolean; cursor?: string }) => api.get<NotificationPage>('/api/notifications', { ...query, limit: 20 }),
    readNotification: (notificationId: string) => api.post(`/api/notifications/${id(notificationId)}/read`),
    readAllNotifications: () => api.post<{ updated: number }>('/api/notifications/read-all'),
    jurisdiction: (code: string) => api.get<JurisdictionNode>(`/api/jurisdictions/${id(code)}`),
    jurisdictionChildren: (code: string) => api.get<JurisdictionNode & { children?: JurisdictionNode[] }>(`/api/jurisdictions/${id(code)}`),

    // The public notice board: no login.
    notices: (query: { county?: string; town?: string; page?: number; pageSize?: number }) => api.publicGet<PublicNoticePage>('/api/public/notices', query),
    formToken: (noticeId: string) => api.publicGet<FormToken>(`/api/public/notices/${id(noticeId)}/form-token`),
    object: (noticeId: string, body: { text: string; contact?: string; name?: string; formToken: string; website?: string }) =>
      api.publicPost<ObjectionReceipt>(`/api/public/notices/${id(noticeId)}/objections`, body),

    // The supervisor's dashboard.
    overdue: (limit = 200) => api.get<OverdueReport>('/api/alerts/overdue', { limit }),
    digest: () => api.get<DigestContent>('/api/notifications/digest'),
    circular: (from: string, to: string) => api.get<CircularReport>('/api/alerts/circular', { from, to }),
    planProgress: (year: number) => api.get<PlanProgress>(`/api/plans/${year}/progress`),

    // Household files.
    households: (query: HouseholdQuery) => api.get<HouseholdPage>('/api/households', { ...query }),
    household: (householdId: string) => api.get<HouseholdFile>(`/api/households/${id(householdId)}`),
    householdVersions: (householdId: string) => api.get<HouseholdVersion[]>(`/api/households/${id(householdId)}/versions`),
    eligibility: (householdId: string, year?: number) => api.get<EligibilityReport>(`/api/households/${id(householdId)}/eligibility`, { year }),
    /** `data`: the start fields the file does not fill. */
    startHouseholdCase: (householdId: string, workflow: string, data?: Record<string, unknown>) =>
      api.post<StartedHouseholdCase>(`/api/households/${id(householdId)}/cases`, { workflow, ...(data && Object.keys(data).length > 0 ? { data } : {}) }),
    /** A household's attachments; with `caseId`, those documenting that case. */
    attachments: (householdId: string, caseId?: string) => api.get<HouseholdAttachment[]>(`/api/households/${id(householdId)}/attachments`, { caseId }),
    uploadAttachment: (householdId: string, file: File, kind: string, caseId?: string) => {
      const form = new FormData();
      form.append('kind', kind);
      if (caseId) form.append('caseId', caseId);
      form.append('file', file);
      return api.upload(`/api/households/${id(householdId)}/attachments`, form);
    },
    downloadAttachment: (householdId: string, attachmentId: string) => api.blob(`/api/households/${id(householdId)}/attachments/${id(attachmentId)}`),

    // Administration.
    users: () => api.get<ManagedUser[]>('/api/users'),
    createUser: (body: UserInput) => api.post<ManagedUser>('/api/users', body),
    updateUser: (userId: string, body: UserInput) => api.patch<ManagedUser>(`/api/users/${id(userId)}`, body),
    resetPassword: (userId: string, password: string) => api.post(`/api/users/${id(userId)}/password`, { password }),
    unlockUser: (userId: string) => api.post(`/api/users/${id(userId)}/unlock`),
    putCalendarYear: (year: number, body: { holidays: string[]; workdays: string[] }) => api.put<CalendarYear>(`/api/calendar/years/${year}`, body),
    rules: () => api.get<YearlyRules[]>('/api/rules'),
    rulesYear: (year: number) => api.get<YearlyRules>(`/api/rules/${year}`),
    putRules: (year: number, body: Omit<YearlyRules, 'year'>) => api.put<YearlyRules>(`/api/rules/${year}`, body),
    failedEmails: () => api.get<EmailList>('/api/admin/emails', { status: 'failed', limit: 100 }),

    // The process diagram of a case, and the administrators' definition routes (issue 7 part 3).
    caseDiagram: (caseId: string) => api.getText(`/api/cases/${id(caseId)}/diagram`),
    adminWorkflows: () => api.get<AdminWorkflowSummary[]>('/api/workflows'),
    definitionVersion: (key: string, version: number) => api.get<StoredVersion>(`/api/workflows/${id(key)}/versions/${version}`),
    definitionDiff: (key: string, from: number, to: number) => api.get<DefinitionDiff>(`/api/workflows/${id(key)}/diff`, { from, to }),
    exportDefinition: (key: string, format: SourceFormat, version?: number) => api.getText(`/api/workflows/${id(key)}/export`, { format, version }),
    deprecateVersion: (key: string, version: number) => api.post<StoredVersion>(`/api/workflows/${id(key)}/versions/${version}/deprecate`),
    getDraft: (key: string) => api.get<DraftView>(`/api/workflows/${id(key)}/draft`),
    saveDraft: (key: string, format: SourceFormat, source: string) => api.request<DraftView>('PUT', `/api/workflows/${id(key)}/draft`, { body: { format, source } }),
    discardDraft: (key: string) => api.request<void>('DELETE', `/api/workflows/${id(key)}/draft`),
    validateDraft: (key: string) => api.post<DraftValidation>(`/api/workflows/${id(key)}/draft/validate`),
    publishDraft: (key: string) => api.post<PublishResult>(`/api/workflows/${id(key)}/draft/publish`),
    whatIf: (key: string, body: { caseIds?: string[] }) => api.post<WhatIfReport>(`/api/workflows/${id(key)}/what-if`, body),
    restoreVersion: (key: string, version: number) => api.post<StoredVersion>(`/api/workflows/${id(key)}/versions/${version}/restore`),
    /** What a migration would do to each case, answered at once; nothing changes. */
    dryRunMigration: (key: string, body: MigrationRequest) => api.post<MigrationReport>(`/api/workflows/${id(key)}/migrations`, { ...body, dryRun: true }),
    /** Queues a migration run (202): follow it with migrationRun. */
    startMigration: (key: string, body: MigrationRequest) => api.post<MigrationRun>(`/api/workflows/${id(key)}/migrations`, body),
    migrationRuns: (key: string) => api.get<MigrationRun[]>(`/api/workflows/${id(key)}/migrations`),
    migrationRun: (key: string, runId: string) => api.get<MigrationRun>(`/api/workflows/${id(key)}/migrations/${id(runId)}`),
  };
}

export type Endpoints = ReturnType<typeof endpoints>;

export interface MigrationRequest {
  fromVersion: number;
  toVersion: number;
  mapping?: Record<string, string>;
  caseIds?: string[];
}
