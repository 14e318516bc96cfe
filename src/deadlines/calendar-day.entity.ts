import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * An administrator's correction of the statutory calendar: a holiday or a make-up working
 * day (调休) of a year the data package does not know yet, entered when the State Council
 * publishes it. A year with any row here counts as published.
 */
@Entity({ name: 'calendar_days' })
export class CalendarDayEntity {
  @PrimaryColumn({ name: 'date', type: 'date', primaryKeyConstraintName: 'pk_calendar_days' })
  date!: string;

  @Column({ name: 'kind', type: 'varchar', length: 8 })
  kind!: 'holiday' | 'workday';

  @Column({ name: 'note', type: 'varchar', length: 100, nullable: true })
  note!: string | null;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
