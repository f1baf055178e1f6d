import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

import type { Presence, Role } from '../common/staff.js';
export { PRESENCES, ROLES, type Presence, type Role } from '../common/staff.js';

@Entity('operators')
export class Operator {
  @PrimaryGeneratedColumn() id!: number;
  /** Null only for the metropolitan administrator, who sees every comune. */
  @Column({ name: 'comune_id', type: 'integer', nullable: true }) comuneId!: number | null;
  @Column() email!: string;
  @Column() name!: string;
  @Column({ name: 'password_hash', select: false }) passwordHash!: string;
  @Column({ type: 'text' }) role!: Role;
  @Column() capacity!: number;
  @Column({ type: 'text' }) presence!: Presence;
  @Column({ name: 'presence_changed_at', type: 'timestamptz' }) presenceChangedAt!: Date;
  @Column({ name: 'last_offered_at', type: 'timestamptz', nullable: true }) lastOfferedAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

@Entity('operator_groups')
export class OperatorGroup {
  @PrimaryColumn({ name: 'operator_id' }) operatorId!: number;
  @PrimaryColumn({ name: 'group_id' }) groupId!: number;
  @Column({ name: 'comune_id' }) comuneId!: number;
}
