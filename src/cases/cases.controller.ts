import { Body, Controller, Get, Headers, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { contentType } from '../definitions/definition-formats.js';
import { CasesService } from './cases.service.js';
import { CaseActionDto } from './dto/case-action.dto.js';
import { StartCaseDto } from './dto/start-case.dto.js';
import { WithdrawDto } from './dto/withdraw.dto.js';

/** A case id in the path: a v4 UUID, else 400. */
export const uuid = new ParseUUIDPipe({ version: '4', errorHttpStatusCode: HttpStatus.BAD_REQUEST });

@ApiTags('cases')
@ApiBearerAuth()
@Controller('cases')
export class CasesController {
  constructor(private readonly cases: CasesService) {}

  @Post()
  @ApiOperation({ summary: 'Start a case of a workflow (on its newest version, pinned for life)' })
  @ApiResponse({ status: 201, description: 'The case, with its current steps, open tasks and your available actions' })
  start(@CurrentUser() user: AuthUser, @Body() body: StartCaseDto) {
    return this.cases.start(user, body);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A case: current steps, open tasks, the actions you may take now, and its version' })
  get(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string) {
    return this.cases.get(user, id);
  }

  @Post(':id/actions')
  @HttpCode(200)
  @ApiOperation({ summary: 'Take an action on a case', description: '409 when expectedVersion is stale; 422 when the action is not allowed now or its condition fails' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A repeated key returns the first result and changes nothing' })
  act(
    @CurrentUser() user: AuthUser,
    @Param('id', uuid) id: string,
    @Body() body: CaseActionDto,
    @Headers('idempotency-key') idempotencyKey?: string,
  ) {
    return this.cases.act(user, id, body, idempotencyKey);
  }

  @Post(':id/withdraw')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Withdraw (撤回) your last action while the next step has not taken the case up',
    description: '422 WITHDRAW_NOT_ALLOWED when the action is not withdrawable, not yours, not the latest, or the next step already claimed it',
  })
  withdraw(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Body() body: WithdrawDto) {
    return this.cases.withdraw(user, id, body);
  }

  @Get(':id/definition')
  @ApiOperation({ summary: 'The workflow definition version the case is pinned to: steps, actions, forms and their labels' })
  definition(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string) {
    return this.cases.definition(user, id);
  }

  @Get(':id/diagram')
  @ApiOperation({ summary: "The process diagram (BPMN 2.0 XML) of the case's pinned version; its steps' element ids are the step keys" })
  async diagram(
    @CurrentUser() user: AuthUser,
    @Param('id', uuid) id: string,
    @Res({ passthrough: true }) response: { setHeader(name: string, value: string): void },
  ): Promise<string> {
    const xml = await this.cases.diagram(user, id);
    response.setHeader('Content-Type', contentType('bpmn'));
    return xml;
  }

  @Get(':id/history')
  @ApiOperation({ summary: "The case's history, oldest first, with the hash chain" })
  history(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string) {
    return this.cases.history(user, id);
  }

  @Get(':id/history/verify')
  @ApiOperation({ summary: 'Verify the hash chain and that replaying the history reproduces the stored state' })
  verify(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string) {
    return this.cases.verify(user, id);
  }
}
