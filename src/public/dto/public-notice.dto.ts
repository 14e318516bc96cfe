import { ApiProperty } from '@nestjs/swagger';
import type { PublicNotice } from '../notice-board.js';

export class NoticePeriodDto {
  @ApiProperty({ example: '2026-03-02', description: 'First day of the notice (Beijing)' })
  start!: string;

  @ApiProperty({ example: '2026-03-09', nullable: true, type: String, description: 'Last day of the notice (Beijing); null when it has no deadline' })
  end!: string | null;
}

/** One notice on the board: exactly PUBLIC_NOTICE_FIELDS (src/public/notice-board.ts). */
export class PublicNoticeDto implements PublicNotice {
  @ApiProperty({ description: 'Opaque id of the notice (not a case id)' })
  id!: string;

  @ApiProperty({ example: '陈大明' })
  householdName!: string;

  @ApiProperty({ example: '台山市端芬镇', nullable: true, type: String })
  town!: string | null;

  @ApiProperty({ example: '海阳村委会', nullable: true, type: String })
  village!: string | null;

  @ApiProperty({ example: '拟纳入建档立卡贫困户' })
  proposal!: string;

  @ApiProperty({ type: NoticePeriodDto })
  period!: NoticePeriodDto;
}

export class PublicNoticePageDto {
  @ApiProperty({ type: [PublicNoticeDto] })
  items!: PublicNoticeDto[];

  @ApiProperty()
  total!: number;

  @ApiProperty()
  page!: number;

  @ApiProperty()
  pageSize!: number;
}

export class FormTokenDto {
  @ApiProperty()
  formToken!: string;

  @ApiProperty({ description: 'The token is accepted from this time on' })
  notBefore!: Date;

  @ApiProperty()
  expiresAt!: Date;
}

export class ObjectionReceiptDto {
  @ApiProperty({ description: 'Quote it when you contact the town office' })
  reference!: string;

  @ApiProperty()
  receivedAt!: Date;

  @ApiProperty()
  message!: string;
}
