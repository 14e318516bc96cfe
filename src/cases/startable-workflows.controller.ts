import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { DefinitionsService } from '../definitions/definitions.service.js';
import { householdCaseStart } from '../households/household-case-starts.js';
import { startableWorkflows, type StartableWorkflow } from './startable-workflows.js';

/**
 * What the caller may start (`POST /api/cases`), with the start forms: the web app's "new
 * case" page. In the cases module because the rule is the case start's (case-start-rule.ts).
 */
@ApiTags('workflows')
@ApiBearerAuth()
@Controller('workflows')
export class StartableWorkflowsController {
  constructor(private readonly definitions: DefinitionsService) {}

  @Get('startable')
  @ApiOperation({
    summary: 'The workflows you may start a case of, with their start forms',
    description:
      '[{ key, label, labelEn, version, start: { role, level, fields }, jurisdiction: { level, required }, household, calledBy }]: ' +
      'the newest published version of each workflow whose start role and level are yours, the fields in the author’s order; ' +
      '`jurisdiction`: the case is placed at that level or below (`required`: your own node is above it); ' +
      '`household`: the workflow starts from a household file (POST /api/households/:id/cases) — its statuses and the fields the file fills; ' +
      '`calledBy`: the workflows whose call steps start it.',
  })
  async startable(@CurrentUser() user: AuthUser): Promise<StartableWorkflow[]> {
    return startableWorkflows(await this.definitions.newestPublished(), user, householdCaseStart);
  }
}
