import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A comune's account on a channel (an app API key, a WhatsApp number, a Telegram bot, a mailbox).
 * `secrets` never leaves the server: it is not selected unless asked for explicitly.
 */
@Entity('channel_accounts')
export class ChannelAccount {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ name: 'comune_id' }) comuneId!: number;
  @Column() channel!: string;
  @Column() label!: string;
  @Column({ type: 'jsonb' }) config!: Record<string, unknown>;
  @Column({ type: 'jsonb', select: false }) secrets!: Record<string, unknown>;
  @Column({ name: 'key_hash', type: 'text', nullable: true, select: false }) keyHash!: string | null;
  @Column() enabled!: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
