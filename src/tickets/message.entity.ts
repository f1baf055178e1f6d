import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type Direction = 'inbound' | 'outbound';
export type AuthorType = 'citizen' | 'operator' | 'bot' | 'system';
export type DeliveryStatus = 'received' | 'queued' | 'sent' | 'delivered' | 'read' | 'failed' | 'not_sent';

@Entity('messages')
export class Message {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'ticket_id', type: 'bigint' }) ticketId!: string;
  @Column({ name: 'comune_id' }) comuneId!: number;
  @Column({ type: 'text' }) direction!: Direction;
  @Column({ name: 'author_type', type: 'text' }) authorType!: AuthorType;
  @Column({ name: 'author_operator_id', type: 'integer', nullable: true }) authorOperatorId!: number | null;
  /** An internal note between operators: never sent to the citizen. */
  @Column() internal!: boolean;
  @Column({ type: 'text', nullable: true }) text!: string | null;
  @Column() channel!: string;
  @Column({ name: 'external_id', type: 'text', nullable: true }) externalId!: string | null;
  @Column({ name: 'delivery_status', type: 'text' }) deliveryStatus!: DeliveryStatus;
  @Column({ name: 'delivery_error', type: 'text', nullable: true }) deliveryError!: string | null;
  /** Outbound: an address of `channel` to send to instead of the ticket's identity (a contact the citizen left). */
  @Column({ name: 'recipient_address', type: 'text', nullable: true }) recipientAddress!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

@Entity('attachments')
export class Attachment {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'message_id', type: 'bigint' }) messageId!: string;
  @Column({ name: 'comune_id' }) comuneId!: number;
  @Column({ name: 'storage_key' }) storageKey!: string;
  @Column() filename!: string;
  @Column({ name: 'content_type' }) contentType!: string;
  @Column({ name: 'size_bytes' }) sizeBytes!: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
