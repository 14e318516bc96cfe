import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Injectable,
  Param,
  ParseIntPipe,
  Post,
  Put,
  Query,
  Res,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
  type PipeTransform,
} from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthenticatedRequest, AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { Roles } from '../auth/roles.decorator.js';
import { WORKFLOW_KEY_PATTERN } from '../engine/definition-schema.js';
import { JIANGMEN_CODE } from '../org/jurisdiction-loader.js';
import { CaseMigrationService } from './case-migration.service.js';
import { contentType, exportSource, fileExtension } from './definition-formats.js';
import { DefinitionDraftsService } from './definition-drafts.service.js';
import { DefinitionException, DefinitionExceptionCode } from './definition.exception.js';
import { DefinitionsService } from './definitions.service.js';
import { ExportQueryDto, MigrationDto, SaveDraftDto, WhatIfDto } from './dto/definition-admin.dto.js';
import { WhatIfService } from './what-if.service.js';

const KEY = new RegExp(WORKFLOW_KEY_PATTERN);

/** A `:key` that is not a workflow key is a 400, before any lookup. */
class WorkflowKeyPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!KEY.test(value)) {
      throw new DefinitionException(`'${value.slice(0, 64)}' is not a workflow key (e.g. poverty-entry)`, DefinitionExceptionCode.INVALID_WORKFLOW_KEY);
    }
    return value;
  }
}

/**
 * A definition applies to every county, so changing one (and the cases on it) is for the
 * administrators bound to the city; a county administrator manages users and nodes only.
 * After the global guards (token, @Roles), before the body is validated.
 */
@Injectable()
class CityAdministratorGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const user = context.switchToHttp().getRequest<AuthenticatedRequest>().user;
    if (user?.jurisdictionCode !== JIANGMEN_CODE) {
      throw new DefinitionException('Workflow definitions are administered at city level', DefinitionExceptionCode.CITY_ADMINISTRATOR_REQUIRED, {
        jurisdictionCode: user?.jurisdictionCode ?? null,
      });
    }
    return true;
  }
}

/**
 * What administrators do with workflow definitions (issue 5): drafts (draft → validated →
 * published as the next version), deprecation, a version's text and its export, migrating
 * running cases to a newer version, and trying a draft on the recorded cases (what-if).
 */
@ApiTags('workflows')
@ApiBearerAuth()
@Roles('administrator')
@UseGuards(CityAdministratorGuard)
@ApiForbiddenResponse({ description: 'Not an administrator (FORBIDDEN_ROLE), or not bound to the city (CITY_ADMINISTRATOR_REQUIRED)' })
@Controller('workflows')
export class DefinitionAdminController {
  constructor(
    private readonly definitions: DefinitionsService,
    private readonly drafts: DefinitionDraftsService,
    private readonly migrations: CaseMigrationService,
    private readonly whatIf: WhatIfService,
  ) {}

  @Put(':key/draft')
  @ApiOperation({ summary: 'Create or replace the draft of a workflow from YAML, JSON or BPMN 2.0 XML; it is a draft until validated' })
  saveDraft(@CurrentUser() user: AuthUser, @Param('key', WorkflowKeyPipe) key: string, @Body() body: SaveDraftDto) {
    return this.drafts.save(user, key, body.format, body.source);
  }

  @Get(':key/draft')
  @ApiOperation({ summary: 'The draft: its text, status (draft | validated) and the issues of its last validation' })
  getDraft(@Param('key', WorkflowKeyPipe) key: string) {
    return this.drafts.get(key);
  }

  @Delete(':key/draft')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Discard the draft' })
  async discardDraft(@CurrentUser() user: AuthUser, @Param('key', WorkflowKeyPipe) key: string): Promise<void> {
    await this.drafts.discard(user, key);
  }

  @Post(':key/draft/validate')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Validate the draft: every error and warning with path, message, severity, line and column; without errors it becomes validated' })
  validateDraft(@CurrentUser() user: AuthUser, @Param('key', WorkflowKeyPipe) key: string) {
    return this.drafts.validate(user, key);
  }

  @Post(':key/draft/publish')
  @ApiOperation({ summary: 'Publish the validated draft as the next version (newest + 1); 409 unless validated as it stands, 422 with the issues on an error' })
  publishDraft(@CurrentUser() user: AuthUser, @Param('key', WorkflowKeyPipe) key: string) {
    return this.drafts.publish(user, key);
  }

  @Get(':key/versions/:version')
  @ApiOperation({ summary: 'A version: status, definition, source text, checksum, cases on it' })
  version(@Param('key', WorkflowKeyPipe) key: string, @Param('version', ParseIntPipe) version: number) {
    return this.definitions.stored(key, version);
  }

  @Post(':key/versions/:version/deprecate')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Deprecate a version: no new case starts on it (the newest deprecated: none on the workflow); running cases continue' })
  deprecate(@CurrentUser() user: AuthUser, @Param('key', WorkflowKeyPipe) key: string, @Param('version', ParseIntPipe) version: number) {
    return this.definitions.deprecate(user, key, version);
  }

  @Get(':key/export')
  @ApiOperation({ summary: 'A version (default: the newest) as a file to review in git or open in a BPMN modeller: YAML (default), JSON or BPMN 2.0' })
  async export(
    @Param('key', WorkflowKeyPipe) key: string,
    @Query() query: ExportQueryDto,
    @Res({ passthrough: true }) response: { setHeader(name: string, value: string): void },
  ): Promise<string> {
    const format = query.format ?? 'yaml';
    const stored = await this.definitions.stored(key, query.version);
    response.setHeader('Content-Type', contentType(format));
    response.setHeader('Content-Disposition', `attachment; filename="${key}.${fileExtension(format)}"`);
    return exportSource(stored, format);
  }

  @Post(':key/migrations')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Move running cases from one version to a newer one with a step mapping; dryRun reports per case and changes nothing' })
  migrate(@CurrentUser() user: AuthUser, @Param('key', WorkflowKeyPipe) key: string, @Body() body: MigrationDto) {
    return this.migrations.migrate(user, key, body);
  }

  @Post(':key/what-if')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: "Replay cases' recorded histories on the draft: same end state, different state, refused action, overdue under the new deadlines" })
  whatIfRun(@Param('key', WorkflowKeyPipe) key: string, @Body() body: WhatIfDto) {
    return this.whatIf.run(key, body);
  }
}
