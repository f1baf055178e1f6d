import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A municipality of the Metropolitan City: the tenant every owned row belongs to. */
@Entity('comuni')
export class Comune {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ name: 'istat_code' }) istatCode!: string;
  @Column({ name: 'catasto_code', type: 'text', nullable: true }) catastoCode!: string | null;
  @Column() name!: string;
  @Column() slug!: string;
  @Column({ name: 'reference_prefix' }) referencePrefix!: string;
  @Column() timezone!: string;
  @Column({ type: 'geometry', spatialFeatureType: 'MultiPolygon', srid: 4326, nullable: true, select: false })
  boundary!: unknown;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
