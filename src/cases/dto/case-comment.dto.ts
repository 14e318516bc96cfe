import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';

/** The longest comment, as for an action's 办理意见. */
export const COMMENT_MAX_LENGTH = 2000;

export class CaseCommentDto {
  @ApiProperty({ maxLength: COMMENT_MAX_LENGTH, example: '已电话联系户主，下周补交收入证明' })
  @IsString()
  @MaxLength(COMMENT_MAX_LENGTH)
  // Blank text says nothing and would still take a row of the permanent history.
  @Matches(/\S/, { message: 'text must not be empty' })
  text!: string;
}
