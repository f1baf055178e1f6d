import { Test } from '@nestjs/testing';
import { SportelloServiceRegistry, type SportelloService } from '../../src/portal/catalogue/catalogue-registry.js';
import { CatalogueFeatureModule, CatalogueModule, CatalogueRegistryModule } from '../../src/portal/catalogue/catalogue.module.js';
import { validate } from '../../src/portal/catalogue/catalogue.service.js';

const service = (id: string): SportelloService => ({
  id,
  area: 'participation',
  title: { it: 'Prova', en: 'Test' },
  description: { it: 'Prova', en: 'Test' },
  audience: 'all',
  path: (c) => `/prova/${c.slug}`,
});

describe("registry of Sportello's own services", () => {
  it('collects what modules contribute with CatalogueModule.forFeature, once per application', async () => {
    const build = () =>
      Test.createTestingModule({
        imports: [
          CatalogueRegistryModule,
          CatalogueModule.forFeature([service('bookings')]),
          CatalogueModule.forFeature([service('reports')]),
        ],
      }).compile();
    const first = await build();
    expect(
      first
        .get(SportelloServiceRegistry)
        .list()
        .map((s) => s.id)
        .sort(),
    ).toEqual(['bookings', 'reports']);
    // A second application in the same process has its own registry (no "contributed twice").
    const second = await build();
    expect(second.get(SportelloServiceRegistry).list()).toHaveLength(2);
    expect(CatalogueModule.forFeature([]).module).toBe(CatalogueFeatureModule);
  });

  it('refuses an id contributed twice, or an invalid one', () => {
    const r = new SportelloServiceRegistry();
    r.add([service('contacts')]);
    expect(() => r.add([service('contacts')])).toThrow(/contributed twice/);
    expect(() => r.add([service('Not Valid')])).toThrow(/invalid service id/);
  });
});

describe('validation of a catalogue entry', () => {
  it('accepts a complete entry and trims it', () => {
    expect(validate({ titleIt: '  TARI  ', area: 'taxes', url: 'https://comune.example.it/tari ' }, 'create')).toEqual({
      titleIt: 'TARI',
      area: 'taxes',
      url: 'https://comune.example.it/tari',
    });
  });

  it('lets an update clear the optional texts and change one field only', () => {
    expect(validate({ titleEn: '', descriptionIt: null }, 'update')).toEqual({ titleEn: null, descriptionIt: null });
    expect(() => validate({ titleIt: '' }, 'update')).toThrow(/titleIt: non può essere vuoto/);
    expect(() => validate({ metropolitan: true }, 'update')).toThrow(/metropolitan/);
  });
});
