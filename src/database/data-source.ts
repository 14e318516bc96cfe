import 'reflect-metadata';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { CaseHistoryEntity } from '../cases/case-history.entity.js';
import { CaseEntity } from '../cases/case.entity.js';
import { IdempotencyKeyEntity } from '../cases/idempotency-key.entity.js';
import { OutboxMessageEntity } from '../cases/outbox-message.entity.js';
import { WorkflowDefinitionEntity } from '../definitions/workflow-definition.entity.js';
import { WorkflowDraftEntity } from '../definitions/workflow-draft.entity.js';
import { MigrationRunCaseEntity, MigrationRunEntity } from '../definitions/migration-run.entity.js';
import { CountyPairingEntity } from '../org/county-pairing.entity.js';
import { JurisdictionEntity } from '../org/jurisdiction.entity.js';
import { UserEntity } from '../org/user.entity.js';
import { TaskEntity } from '../tasks/task.entity.js';
import { TaskSignerEntity } from '../tasks/task-signer.entity.js';
import { AuditEntryEntity } from '../audit/audit-entry.entity.js';
import { CalendarDayEntity } from '../deadlines/calendar-day.entity.js';
import { DeadlineEntity } from '../deadlines/deadline.entity.js';
import { EmailDeliveryEntity } from '../notifications/email-delivery.entity.js';
import { NotificationEntity } from '../notifications/notification.entity.js';
import { PlanTargetEntity } from '../plans/plan-target.entity.js';
import { PublicObjectionEntity } from '../public/public-objection.entity.js';
import { HouseholdEntity } from '../households/household.entity.js';
import { HouseholdMemberEntity } from '../households/household-member.entity.js';
import {
  HouseholdAttachmentEntity,
  HouseholdChecklistEntity,
  HouseholdIncomeEntity,
  HouseholdVersionEntity,
  HouseholdVisitEntity,
} from '../households/household-records.entity.js';
import { YearlyRulesEntity } from '../rules/yearly-rules.entity.js';
import { AssessmentExitEntity, AssessmentRunEntity, CountyAssessmentEntity } from '../assessment/assessment.entity.js';
import { DisasterEntity, DisasterReentryEntity } from '../disasters/disaster.entity.js';

/** Every entity, listed by hand: a glob would silently miss a file or pick up a stray one. */
export const ENTITIES = [
  UserEntity,
  WorkflowDefinitionEntity,
  WorkflowDraftEntity,
  CaseEntity,
  CaseHistoryEntity,
  TaskEntity,
  OutboxMessageEntity,
  IdempotencyKeyEntity,
  DeadlineEntity,
  CalendarDayEntity,
  NotificationEntity,
  EmailDeliveryEntity,
  JurisdictionEntity,
  CountyPairingEntity,
  TaskSignerEntity,
  AuditEntryEntity,
  PublicObjectionEntity,
  PlanTargetEntity,
  YearlyRulesEntity,
  HouseholdEntity,
  HouseholdMemberEntity,
  HouseholdIncomeEntity,
  HouseholdChecklistEntity,
  HouseholdVisitEntity,
  HouseholdAttachmentEntity,
  HouseholdVersionEntity,
  AssessmentRunEntity,
  CountyAssessmentEntity,
  AssessmentExitEntity,
  DisasterEntity,
  DisasterReentryEntity,
  MigrationRunEntity,
  MigrationRunCaseEntity,
];

/**
 * `migrations/` seen from this file's compiled location: src/database/ → ../../migrations.
 * Compiled, that is dist/migrations/*.js (the app and the TypeORM CLI both load dist/);
 * from source it is migrations/*.ts.
 */
export const MIGRATIONS_GLOB = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'migrations',
  '*.{ts,js}',
);

/**
 * The options every connection uses. Schema changes only ever happen through
 * migrations that are run explicitly (ensure-database.ts), never by synchronize.
 */
export function dataSourceOptions(
  config: Pick<AppConfig, 'databaseUrl'>,
  overrides: { migrations?: DataSourceOptions['migrations'] } = {},
): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.databaseUrl,
    entities: ENTITIES,
    migrations: overrides.migrations ?? [MIGRATIONS_GLOB],
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    // gen_random_uuid() is built into PostgreSQL 13+, so no extension is needed and
    // the application never needs the rights to CREATE EXTENSION.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    // TypeORM's logger prints failed queries with their parameters, which hold personal
    // data; errors reach the exception filter and Nest's logger instead.
    logging: false,
  };
}
