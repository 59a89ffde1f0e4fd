import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * One build for the three sections. The renderer is also what web mode serves (out/renderer),
 * so the desktop window and the browser show the same bundle.
 */
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: { input: { index: resolve(here, 'electron/main/index.ts') } },
      externalizeDeps: true,
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed window cannot load an ES module preload: emit CommonJS.
      rollupOptions: {
        input: { index: resolve(here, 'electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: 'index.cjs' },
      },
      externalizeDeps: { exclude: ['zod'] },
    },
  },
  renderer: {
    root: resolve(here, 'renderer'),
    plugins: [react()],
    build: {
      outDir: resolve(here, 'out/renderer'),
      rollupOptions: { input: { index: resolve(here, 'renderer/index.html') } },
    },
  },
});
