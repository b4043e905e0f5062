import { defineConfig } from 'vite';

/**
 * The screen decode benchmark's page (`reach bench screen`): a second build, not an
 * entry of the console's, so the production console does not ship it. It imports
 * the console's own decoding worker; `reach` embeds web/dist-bench and serves it
 * on loopback to Chromium.
 */
export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist-bench',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    rollupOptions: { input: 'bench/decode.html' },
  },
  worker: {
    format: 'es',
  },
});
