import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A person who wrote to the URP; reached through one or more channel identities. */
@Entity('citizens')
export class Citizen {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'display_name', type: 'text', nullable: true }) displayName!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

/** One way to reach a citizen: a phone on WhatsApp, a Telegram user, an email address, a web-chat session. */
@Entity('citizen_identities')
export class CitizenIdentity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'citizen_id', type: 'bigint' }) citizenId!: string;
  @Column() channel!: string;
  @Column() address!: string;
  @Column({ name: 'display_name', type: 'text', nullable: true }) displayName!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
