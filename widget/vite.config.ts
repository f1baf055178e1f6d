import { defineConfig } from 'vite';

/** The web-chat widget: one self-contained script, served by the API at /widget.js. */
export default defineConfig({
  root: import.meta.dirname,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    lib: { entry: 'src/widget.ts', formats: ['iife'], name: 'SportelloWidget', fileName: () => 'widget.js' },
  },
});
