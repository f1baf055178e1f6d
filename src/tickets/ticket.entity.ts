import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

import type { TicketStatus } from '../cases/phases.js';

export { OPEN_STATUSES, TICKET_STATUSES, type TicketStatus } from '../cases/phases.js';
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];
/** Where a ticket stands in routing: not yet routed, waiting in its group's queue, offered, taken, finished. */
export type QueueState = 'unrouted' | 'queued' | 'offered' | 'assigned' | 'done';

@Entity('tickets')
export class Ticket {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'comune_id' }) comuneId!: number;
  @Column() reference!: string;
  @Column() type!: string;
  @Column({ type: 'text', nullable: true }) category!: string | null;
  @Column({ type: 'text' }) priority!: Priority;
  @Column({ type: 'text' }) status!: TicketStatus;
  @Column({ name: 'queue_state', type: 'text' }) queueState!: QueueState;
  @Column({ type: 'text', nullable: true }) subject!: string | null;
  @Column() channel!: string;
  @Column({ name: 'citizen_id', type: 'bigint' }) citizenId!: string;
  @Column({ name: 'citizen_identity_id', type: 'bigint' }) citizenIdentityId!: string;
  @Column({ name: 'group_id', type: 'integer', nullable: true }) groupId!: number | null;
  @Column({ name: 'assignee_id', type: 'integer', nullable: true }) assigneeId!: number | null;
  @Column({ name: 'offered_to_id', type: 'integer', nullable: true }) offeredToId!: number | null;
  @Column({ name: 'offer_seq' }) offerSeq!: number;
  @Column({ name: 'offer_expires_at', type: 'timestamptz', nullable: true }) offerExpiresAt!: Date | null;
  @Column({ name: 'declined_by', type: 'integer', array: true }) declinedBy!: number[];
  @Column({ name: 'waiting_since', type: 'timestamptz', nullable: true }) waitingSince!: Date | null;
  @Column({ type: 'geography', spatialFeatureType: 'Point', srid: 4326, nullable: true }) location!: {
    type: 'Point';
    coordinates: [number, number];
  } | null;
  @Column({ type: 'jsonb' }) payload!: Record<string, unknown>;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
  @Column({ name: 'first_response_at', type: 'timestamptz', nullable: true }) firstResponseAt!: Date | null;
  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true }) resolvedAt!: Date | null;
  @Column({ name: 'last_message_at', type: 'timestamptz' }) lastMessageAt!: Date;
}
