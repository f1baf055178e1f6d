import { defineConfig, type Plugin } from 'vite';

/**
 * Preloads the two faces of Titillium Web every page uses (body text and headings): the browser
 * fetches them with the stylesheet instead of after it, so text is not re-laid out when they arrive.
 */
function preloadFonts(): Plugin {
  const faces = [/titillium-web-[^/]*latin-regular-[^/]*\.woff2$/, /titillium-web-[^/]*latin-600-[^/]*\.woff2$/];
  return {
    name: 'sportello-preload-fonts',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const files = Object.keys(ctx.bundle ?? {});
        return faces
          .map((re) => files.find((f) => re.test(f)))
          .filter((f): f is string => Boolean(f))
          .map((f) => ({
            tag: 'link',
            attrs: { rel: 'preload', as: 'font', type: 'font/woff2', href: `/${f}`, crossorigin: '' },
            injectTo: 'head' as const,
          }));
      },
    },
  };
}

/**
 * The citizen portal: built into portal/dist and served by the API at the site's root
 * (src/web/portal.controller.ts), its hashed assets under /_portal/.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  plugins: [preloadFonts()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: '_portal',
    sourcemap: true,
    chunkSizeWarningLimit: 600,
    rolldownOptions: {
      // design-react-kit's dependencies (react-bootstrap) mark their modules "use client": meaningless in a browser-only bundle.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  server: { proxy: { '/api': 'http://localhost:3000', '/contatti': 'http://localhost:3000' } },
});
