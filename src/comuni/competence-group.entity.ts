import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** An office of a comune that takes charge of tickets (URP, social assistance, …). */
@Entity('competence_groups')
export class CompetenceGroup {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ name: 'comune_id' }) comuneId!: number;
  @Column() code!: string;
  @Column() name!: string;
  @Column({ name: 'name_en' }) nameEn!: string;
  @Column({ name: 'is_default' }) isDefault!: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

/** The competence groups every comune starts with (E-Gov 2 thematic areas plus the URP). */
export const STANDARD_GROUPS: ReadonlyArray<{ code: string; name: string; nameEn: string; isDefault?: boolean }> = [
  { code: 'urp', name: 'URP – informazioni generali', nameEn: 'Public relations office – general information', isDefault: true },
  { code: 'sociale', name: 'Assistenza e sostegno sociale', nameEn: 'Social assistance and support' },
  { code: 'edilizia', name: 'Edilizia e catasto', nameEn: 'Building and land registry' },
  { code: 'tributi', name: 'Tributi locali', nameEn: 'Local taxes' },
  { code: 'ambiente', name: 'Ambiente e territorio', nameEn: 'Environment and territory' },
  { code: 'lavori-pubblici', name: 'Lavori pubblici', nameEn: 'Public works' },
];
