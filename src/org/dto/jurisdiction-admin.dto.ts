import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';

function NodeName(): PropertyDecorator {
  return (target, key) => {
    ApiProperty({ example: '端芬镇新村', maxLength: 100 })(target, key);
    IsString()(target, key);
    Matches(/\S/, { message: 'name must not be blank' })(target, key);
    MaxLength(100)(target, key);
  };
}

export class CreateJurisdictionDto {
  @ApiProperty({ example: '440781109', description: 'A current city, county or town node inside your jurisdiction' })
  @IsString()
  @Matches(/^(\d{6}|\d{9})$/, { message: 'parentCode must be a city/county (6 digits) or town (9 digits) code' })
  parentCode!: string;

  @ApiProperty({ example: '440781109299', description: "The new code: the parent's code and 3 more digits (a county: 4407 and 2 digits)" })
  @IsString()
  @Matches(/^(\d{6}|\d{9}|\d{12})$/, { message: 'code must have 6, 9 or 12 digits' })
  code!: string;

  @NodeName()
  name!: string;
}

export class RenameJurisdictionDto {
  @NodeName()
  name!: string;
}
