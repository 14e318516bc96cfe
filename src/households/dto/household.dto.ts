import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { HOUSEHOLD_WORKFLOWS, type HouseholdWorkflow } from '../household-case-starts.js';
import { INCOME_SOURCES, REGISTER_STATUSES, SCHOOLING, SUPPORT_MEASURES, type IncomeSource, type RegisterStatus, type Schooling, type SupportMeasure } from '../household-file.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_MESSAGE = { message: '$property must be a date YYYY-MM-DD' };

/** The fields of a member; on a change, absent fields keep their value. */
export class MemberDto {
  @ApiProperty({ example: '陈大明' })
  @IsString()
  @Length(1, 50)
  name!: string;

  @ApiProperty({ example: '户主', description: 'Relation to the head of household' })
  @IsString()
  @Length(1, 20)
  relation!: string;

  @ApiPropertyOptional({
    example: '440781198003122412',
    nullable: true,
    description: 'Resident ID number (GB 11643): stored encrypted, shown masked; null removes it. Never returned in full except by the audited reveal.',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(18)
  residentId?: string | null;

  @ApiProperty({ example: 46 })
  @IsInt()
  @Min(0)
  @Max(130)
  age!: number;

  @ApiProperty({ example: true })
  @IsBoolean()
  labourAbility!: boolean;

  @ApiPropertyOptional({ example: false })
  @IsOptional()
  @IsBoolean()
  disability?: boolean;

  @ApiPropertyOptional({ enum: SCHOOLING, example: 'junior', description: 'Highest schooling reached (or attended now)' })
  @IsOptional()
  @IsIn(SCHOOLING)
  schooling?: Schooling;

  @ApiPropertyOptional({ example: false, description: 'Attending school now' })
  @IsOptional()
  @IsBoolean()
  inSchool?: boolean;

  @ApiPropertyOptional({ example: true, description: 'Insured by the basic medical insurance' })
  @IsOptional()
  @IsBoolean()
  healthInsurance?: boolean;
}

export class VolunteerDto {
  @ApiProperty({ example: '黄志强' })
  @IsString()
  @Length(1, 50)
  name!: string;

  @ApiProperty({ example: true, description: 'A party member (the 10+1 group is of party-member volunteers)' })
  @IsBoolean()
  partyMember!: boolean;
}

/** 一户一策: the support plan. */
export class PlanDto {
  @ApiProperty({ enum: SUPPORT_MEASURES, isArray: true, example: ['industry', 'employment'] })
  @IsArray()
  @ArrayMaxSize(SUPPORT_MEASURES.length)
  @IsIn(SUPPORT_MEASURES, { each: true })
  measures!: SupportMeasure[];

  @ApiPropertyOptional({ example: '台山市农业农村局', nullable: true })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @Length(1, 100)
  pairedUnit?: string | null;

  @ApiPropertyOptional({ example: '黄志强', nullable: true })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @Length(1, 50)
  responsiblePerson?: string | null;

  @ApiPropertyOptional({ type: VolunteerDto, isArray: true, description: 'The 10+1 group: ten or more volunteers for this household' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => VolunteerDto)
  volunteers?: VolunteerDto[];

  @ApiPropertyOptional({ example: '发展特色种养殖，户主到镇扶贫车间就业。', nullable: true })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(5000)
  summary?: string | null;
}

export class CreateHouseholdDto {
  @ApiProperty({ example: '440781109201', description: "The household's village or community (12-digit division code)" })
  @IsString()
  @Matches(/^\d{12}$/, { message: 'villageCode must be a 12-digit village or community code' })
  villageCode!: string;

  @ApiProperty({ example: '陈大明' })
  @IsString()
  @Length(1, 50)
  headName!: string;

  @ApiPropertyOptional({ example: '端芬镇上泽村委会大岭村12号', nullable: true })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(200)
  address?: string | null;

  @ApiProperty({ example: true, description: '农村 (true) or 城镇 (false)' })
  @IsBoolean()
  rural!: boolean;

  @ApiPropertyOptional({ example: true })
  @IsOptional()
  @IsBoolean()
  dibao?: boolean;

  @ApiPropertyOptional({ example: true, nullable: true, description: '自愿接受帮扶 (null: not asked yet)' })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsBoolean()
  consent?: boolean | null;

  @ApiPropertyOptional({ enum: REGISTER_STATUSES, default: 'none', description: 'For a household registered before the system (e.g. the 2015 baseline); afterwards only its cases move it' })
  @IsOptional()
  @IsIn(REGISTER_STATUSES)
  registerStatus?: RegisterStatus;

  @ApiPropertyOptional({ example: '2015-12-31' })
  @IsOptional()
  @Matches(DATE, DATE_MESSAGE)
  registeredOn?: string;

  @ApiPropertyOptional({ example: '2017-12-20' })
  @IsOptional()
  @Matches(DATE, DATE_MESSAGE)
  exitedOn?: string;

  @ApiPropertyOptional({ example: '2018-08-01' })
  @IsOptional()
  @Matches(DATE, DATE_MESSAGE)
  reenteredOn?: string;

  @ApiProperty({ type: MemberDto, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(30)
  @ValidateNested({ each: true })
  @Type(() => MemberDto)
  members!: MemberDto[];

  @ApiPropertyOptional({ type: PlanDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => PlanDto)
  plan?: PlanDto;
}

/** Every change of the file's core names the version it was made on: a stale one is a 409. */
export class VersionedDto {
  @ApiProperty({ example: 3, description: 'The version of the file you loaded; 409 when it moved since' })
  @IsInt()
  @Min(0)
  expectedVersion!: number;
}

export class UpdateHouseholdDto extends VersionedDto {
  @ApiPropertyOptional({ example: '440781109201', description: 'Move the household to another village (inside your jurisdiction)' })
  @IsOptional()
  @IsString()
  @Matches(/^\d{12}$/, { message: 'villageCode must be a 12-digit village or community code' })
  villageCode?: string;

  @ApiPropertyOptional({ example: '陈大明' })
  @IsOptional()
  @IsString()
  @Length(1, 50)
  headName?: string;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(200)
  address?: string | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  rural?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  dibao?: boolean;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsBoolean()
  consent?: boolean | null;
}

export class AddMemberDto extends MemberDto {
  @ApiProperty({ example: 3 })
  @IsInt()
  @Min(0)
  expectedVersion!: number;
}

export class UpdateMemberDto extends VersionedDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 50)
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 20)
  relation?: string;

  @ApiPropertyOptional({ nullable: true, description: 'A new resident ID number, or null to remove it' })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(18)
  residentId?: string | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(130)
  age?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  labourAbility?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  disability?: boolean;

  @ApiPropertyOptional({ enum: SCHOOLING })
  @IsOptional()
  @IsIn(SCHOOLING)
  schooling?: Schooling;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  inSchool?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  healthInsurance?: boolean;
}

export class RemoveMemberQueryDto {
  @ApiProperty({ example: 3 })
  @Type(() => Number)
  @IsInt()
  @Min(0)
  expectedVersion!: number;
}

export class IncomeRecordDto {
  @ApiProperty({ enum: INCOME_SOURCES, example: 'wage', description: '工资性 wage, 经营净 business, 财产净 property, 转移净 transfer' })
  @IsIn(INCOME_SOURCES)
  source!: IncomeSource;

  @ApiProperty({ example: 12000, description: 'Yuan for the whole year; business and property (net) incomes may be negative' })
  @IsNumber({ maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false })
  @Min(-10_000_000)
  @Max(10_000_000)
  amount!: number;

  @ApiPropertyOptional({ example: '户主在镇扶贫车间务工' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  note?: string;
}

export class PutIncomesDto extends VersionedDto {
  @ApiProperty({ type: IncomeRecordDto, isArray: true, description: "The year's income records (replacing those recorded before)" })
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => IncomeRecordDto)
  records!: IncomeRecordDto[];
}

export class PutChecklistDto extends VersionedDto {
  @ApiProperty({ example: { foodAndClothing: true, compulsoryEducation: true, basicMedical: true, housingSafety: true }, description: "The year's 两不愁三保障 items (keys of the year's rules)" })
  @IsObject()
  items!: Record<string, boolean>;

  @ApiPropertyOptional({ example: '2017-11-20' })
  @IsOptional()
  @Matches(DATE, DATE_MESSAGE)
  checkedOn?: string;
}

export class PutPlanDto extends PlanDto {
  @ApiProperty({ example: 3 })
  @IsInt()
  @Min(0)
  expectedVersion!: number;
}

export class AddVisitDto {
  @ApiProperty({ example: '2017-04-12' })
  @Matches(DATE, DATE_MESSAGE)
  visitedOn!: string;

  @ApiProperty({ example: '李明' })
  @IsString()
  @Length(1, 50)
  visitorName!: string;

  @ApiPropertyOptional({ example: '台山市委书记' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  visitorRole?: string;

  @ApiProperty({ example: true, description: 'A leading party or government official (counts towards the two leader visits a year)' })
  @IsBoolean()
  leader!: boolean;

  @ApiPropertyOptional({ example: '了解种养殖项目进展。' })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  notes?: string;
}

export class StartHouseholdCaseDto {
  @ApiProperty({ enum: HOUSEHOLD_WORKFLOWS, example: 'poverty-entry' })
  @IsIn(HOUSEHOLD_WORKFLOWS)
  workflow!: HouseholdWorkflow;

  @ApiPropertyOptional({ example: 2017, description: "The year whose rules the case's guards read (default: this year)" })
  @IsOptional()
  @IsInt()
  @Min(2000)
  @Max(2100)
  year?: number;

  @ApiPropertyOptional({ example: { disasterType: 'typhoon' }, description: 'Start-form fields the file does not provide (they may not override it)' })
  @IsOptional()
  @IsObject()
  data?: Record<string, unknown>;
}

const booleanQuery = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class ListHouseholdsQueryDto {
  @ApiPropertyOptional({ example: '440781', description: 'A county, town or village code: the households inside it (and inside your jurisdiction)' })
  @IsOptional()
  @Matches(/^\d{6}(\d{3}(\d{3})?)?$/, { message: 'jurisdiction must be a 6, 9 or 12 digit division code' })
  jurisdiction?: string;

  @ApiPropertyOptional({ enum: REGISTER_STATUSES })
  @IsOptional()
  @IsIn(REGISTER_STATUSES)
  status?: RegisterStatus;

  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @Transform(booleanQuery)
  @IsBoolean()
  rural?: boolean;

  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @Transform(booleanQuery)
  @IsBoolean()
  dibao?: boolean;

  @ApiPropertyOptional({ example: '陈', description: "Part of the head's name" })
  @IsOptional()
  @IsString()
  @Length(1, 50)
  name?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  offset?: number;
}

export class YearQueryDto {
  @ApiPropertyOptional({ example: 2017, description: 'Default: this year (China time)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(2000)
  @Max(2100)
  year?: number;
}

export class VisitAlertsQueryDto {
  @ApiProperty({ example: 2017 })
  @Type(() => Number)
  @IsInt()
  @Min(2000)
  @Max(2100)
  year!: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class ExportQueryDto extends YearQueryDto {
  @ApiProperty({ example: '440781' })
  @Matches(/^\d{6}$/, { message: 'county must be a 6-digit county code' })
  county!: string;

  @ApiProperty({ enum: ['csv', 'xlsx'] })
  @IsIn(['csv', 'xlsx'])
  format!: 'csv' | 'xlsx';
}

export class AttachmentListQueryDto {
  @ApiPropertyOptional({ description: 'Only the attachments linked to this case (the case page lists these)' })
  @IsOptional()
  @IsUUID('4')
  caseId?: string;
}

/** Where a resident ID typed into a household file's text is (HouseholdsService.revealText). */
export class RevealHouseholdResidentIdDto {
  @ApiProperty({
    example: 'visits/6f1c2a4e-0b7d-4c55-9a43-3f0e8d2b9c11/notes/0',
    description:
      "Where the ID is, as the file's view names it, records by their id, the last number the n-th ID typed into that text: `address/0`, `headName/0`, `plan/summary/0`, `plan/volunteers/2/name/0`, `members/<id>/name/0` (`members/<id>/residentId`: the member's own), `incomes/<id>/note/0`, `visits/<id>/notes/0`, `attachments/<id>/fileName/0`; with `version`, inside that version's changes: `changes/0/to/0`",
  })
  @IsString()
  @MaxLength(300)
  @Matches(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+){0,9}$/, { message: "path must be field names, ids and numbers joined by '/', such as address/0" })
  path!: string;

  @ApiPropertyOptional({ example: 3, description: "A version of the file (GET …/versions): the path is then inside that version's changes" })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  version?: number;
}

export class AttachmentUploadDto {
  @ApiProperty({ enum: ['meeting-minutes', 'notice-photo', 'other'] })
  @IsIn(['meeting-minutes', 'notice-photo', 'other'])
  kind!: 'meeting-minutes' | 'notice-photo' | 'other';

  @ApiPropertyOptional({ description: 'The case the document belongs to (it must be one of this household)' })
  @IsOptional()
  @IsUUID('4')
  caseId?: string;
}
