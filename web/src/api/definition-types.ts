import type { WorkflowDefinition } from './types';

/** The administrators' definition routes (src/definitions/definition-admin.controller.ts), as the app reads them. */

export type SourceFormat = 'yaml' | 'json' | 'bpmn';
export type DraftStatus = 'draft' | 'validated';

export interface VersionSummary {
  version: number;
  status: string;
  publishedAt: string;
  cases: number;
  running: number;
}

/** `GET /api/workflows` as an administrator sees it: with each key's draft. */
export interface AdminWorkflowSummary {
  key: string;
  label: string;
  labelEn: string | null;
  latestVersion: number | null;
  acceptsNewCases: boolean;
  versions: VersionSummary[];
  draft?: { status: DraftStatus; updatedAt: string } | null;
}

export interface StoredVersion {
  id: string;
  key: string;
  version: number;
  status: 'published' | 'deprecated';
  label: string;
  definition: WorkflowDefinition;
  source: string;
  sourceFormat: string;
  checksum: string;
  publishedAt: string;
  cases: number;
  running: number;
}

export interface DefinitionChange {
  change: 'added' | 'removed' | 'changed';
  path: string;
  text: string;
  before?: unknown;
  after?: unknown;
}

export interface DefinitionDiff {
  workflow: string;
  from: number;
  to: number;
  changes: DefinitionChange[];
}

export interface DefinitionIssue {
  file: string;
  path: string;
  message: string;
  severity: 'error' | 'warning';
  line?: number;
  column?: number;
}

export interface DraftView {
  id: string;
  key: string;
  format: SourceFormat;
  source: string;
  status: DraftStatus;
  checksum: string;
  issues: DefinitionIssue[] | null;
  validatedAt: string | null;
  updatedAt: string;
  latestVersion: number | null;
}

export interface DraftValidation {
  key: string;
  status: DraftStatus;
  valid: boolean;
  errors: number;
  warnings: number;
  issues: DefinitionIssue[];
}

export interface PublishResult {
  key: string;
  version: number;
  definitionId: string;
  status: 'published';
  warnings: DefinitionIssue[];
}

export interface CaseState {
  status: string;
  steps: string[];
}

export interface OverdueStep {
  step: string;
  dueAt: string;
  [key: string]: unknown;
}

export interface WhatIfCase {
  caseId: string;
  title: string | null;
  version: number | null;
  outcome: 'same' | 'different' | 'refused' | 'skipped';
  now?: CaseState;
  draft?: CaseState;
  refusedAt?: { seq: number; step?: string; action?: string; code: string; reason: string };
  reason?: string;
  overdueNow: OverdueStep[];
  overdueUnderDraft: OverdueStep[] | null;
}

export interface WhatIfReport {
  workflow: string;
  at: string;
  totals: { cases: number; same: number; different: number; refused: number; skipped: number; overdueNow: number; overdueUnderDraft: number };
  cases: WhatIfCase[];
}

export interface MigrationStep {
  from: { step: string; entry: number };
  to: { step: string; entry: number };
  task?: 'kept' | 'moved' | 'reassigned';
  role?: string;
  level?: string;
}

export interface CaseMigrationResult {
  caseId: string;
  title: string | null;
  outcome: 'migrated' | 'migratable' | 'skipped';
  reason?: string;
  steps?: MigrationStep[];
  deadlines?: { step: string; entry: number; before: string | null; after: string | null; dueAt?: string }[];
}

/** A dry run's answer: per case what a migration would do; nothing changed. */
export interface MigrationReport {
  workflow: string;
  fromVersion: number;
  toVersion: number;
  dryRun: true;
  mapping: Record<string, string>;
  totals: { cases: number; migrated: number; migratable: number; skipped: number };
  cases: CaseMigrationResult[];
}

export type MigrationRunStatus = 'queued' | 'running' | 'done' | 'failed';

/** A case a migration run did not move, and why. */
export interface MigrationRunCase {
  caseId: string;
  title: string | null;
  outcome: 'refused' | 'skipped' | 'failed';
  reason: string | null;
  handledAt: string | null;
}

/** A migration run (a job) with its progress: GET /api/workflows/:key/migrations/:id. */
export interface MigrationRun {
  id: string;
  workflow: string;
  fromVersion: number;
  toVersion: number;
  mapping: Record<string, string>;
  requestedBy: { id: string; username: string | null };
  status: MigrationRunStatus;
  counts: { total: number; pending: number; migrated: number; refused: number; skipped: number; failed: number };
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  /** On a single run only: the cases not moved, in the run's order. */
  refusals?: MigrationRunCase[];
}
