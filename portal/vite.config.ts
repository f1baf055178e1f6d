import { defineConfig } from 'vite';

/**
 * The citizen portal: built into portal/dist and served by the API at the site's root
 * (src/web/portal.controller.ts), its hashed assets under /_portal/.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
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
