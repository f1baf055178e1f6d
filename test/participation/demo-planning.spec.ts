import { seedDemoPlanning } from '../../src/cli/demo-planning.js';
import { startApp, type TestApp } from '../support/harness.js';

/** The demo's planning hypothesis: seeded once, inside Bari, shown by the public API as a newcomer would see it. */
describe('demo: participatory planning in Bari', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('seeds the San Girolamo hypothesis once, drawn inside Bari, with preferences and remarks', async () => {
    expect(await seedDemoPlanning(t.ds)).toBe(true);
    expect(await seedDemoPlanning(t.ds)).toBe(false);
    const [inside] = await t.ds.query(
      `SELECT bool_and(ST_Within(i.location, c.boundary) AND NOT EXISTS (SELECT 1 FROM participation_contributions r WHERE r.item_id = i.id AND r.location IS NOT NULL AND NOT ST_Within(r.location, c.boundary))) AS ok
         FROM participation_items i JOIN comuni c ON c.id = i.comune_id WHERE i.service = 'planning'`,
    );
    expect(inside.ok).toBe(true);
    const spaces = (await t.http.get('/api/portal/v1/comuni/bari/spaces?service=planning')).body.spaces;
    expect(spaces.map((s: any) => [s.slug, s.open])).toEqual([['waterfront-san-girolamo', true]]);
    const items = (await t.http.get(`/api/portal/v1/participation/spaces/${spaces[0].id}/items`)).body.items;
    expect(items).toHaveLength(1);
    const map = (await t.http.get(`/api/portal/v1/participation/planning/items/${items[0].id}/map`)).body;
    expect(map.alternatives.map((a: any) => [a.key, a.preferences])).toEqual([
      ['lungomare', 3],
      ['interna', 2],
    ]);
    expect(map.remarks).toHaveLength(3);
  });
});
