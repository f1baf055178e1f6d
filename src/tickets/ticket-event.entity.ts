import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One line of a ticket's append-only history: who did what, when. */
@Entity('ticket_events')
export class TicketEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'ticket_id', type: 'bigint' }) ticketId!: string;
  @Column({ name: 'comune_id' }) comuneId!: number;
  @Column() type!: string;
  @Column({ name: 'actor_type', type: 'text' }) actorType!: 'citizen' | 'operator' | 'system';
  @Column({ name: 'actor_operator_id', type: 'integer', nullable: true }) actorOperatorId!: number | null;
  @Column({ type: 'jsonb' }) data!: Record<string, unknown>;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
