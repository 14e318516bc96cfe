import type { ApiClient } from './client';
import type {
  AdminWorkflowSummary,
  DefinitionDiff,
  DraftValidation,
  DraftView,
  MigrationReport,
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
  CaseDefinition,
  CaseView,
  HistoryEntry,
  InboxPage,
  InboxQuery,
  JurisdictionNode,
  NotificationPage,
  TaskDetail,
  VerifyResult,
  WorkflowSummary,
} from './types';

/** The API's routes this app calls, typed. */
export function endpoints(api: ApiClient) {
  const id = encodeURIComponent;
  return {
    me: () => api.get<AuthUser>('/api/auth/me'),
    inbox: (query: InboxQuery) => api.get<InboxPage>('/api/tasks', { ...query }),
    batch: (items: BatchItem[]) => api.post<BatchResult>('/api/tasks/batch', { items }),
    workflows: () => api.get<WorkflowSummary[]>('/api/workflows'),
    getCase: (caseId: string) => api.get<CaseView>(`/api/cases/${id(caseId)}`),
    caseDefinition: (caseId: string) => api.get<CaseDefinition>(`/api/cases/${id(caseId)}/definition`),
    history: (caseId: string) => api.get<HistoryEntry[]>(`/api/cases/${id(caseId)}/history`),
    verify: (caseId: string) => api.get<VerifyResult>(`/api/cases/${id(caseId)}/history/verify`),
    act: (caseId: string, body: { action: string; step?: string; data?: Record<string, unknown>; comment?: string; expectedVersion: number }, idempotencyKey?: string) =>
      api.post<CaseView>(`/api/cases/${id(caseId)}/actions`, body, idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : undefined),
    withdraw: (caseId: string, body: { expectedVersion: number; reason?: string }) => api.post<CaseView>(`/api/cases/${id(caseId)}/withdraw`, body),
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
    migrate: (key: string, body: { fromVersion: number; toVersion: number; mapping?: Record<string, string>; caseIds?: string[]; dryRun?: boolean }) =>
      api.post<MigrationReport>(`/api/workflows/${id(key)}/migrations`, body),
  };
}

export type Endpoints = ReturnType<typeof endpoints>;
