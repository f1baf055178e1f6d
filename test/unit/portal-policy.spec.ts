import { portalPolicy } from '../../src/web/portal.controller.js';

describe("the portal's Content-Security-Policy", () => {
  it('allows images from its own origin only when no tile server is configured', () => {
    expect(portalPolicy('')).toMatch(/img-src 'self' data:;/);
  });

  it("allows the configured tile server's images, a subdomain placeholder as a wildcard, and nothing else from it", () => {
    const policy = portalPolicy('https://{s}.tile.example.org/{z}/{x}/{y}.png');
    expect(policy).toMatch(/img-src 'self' data: https:\/\/\*\.tile\.example\.org;/);
    expect(policy).toMatch(/script-src 'self';/);
    expect(policy).toMatch(/connect-src 'self';/);
    expect(portalPolicy('https://tiles.comune.bari.it:8443/osm/{z}/{x}/{y}.png')).toMatch(
      /img-src 'self' data: https:\/\/tiles\.comune\.bari\.it:8443;/,
    );
  });
});
