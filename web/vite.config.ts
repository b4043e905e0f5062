import { defineConfig, type Plugin } from 'vite';

/**
 * Fails the build if index.html holds anything the server's Content-Security-Policy
 * would block: inline scripts, `<style>` elements or `style` attributes.
 */
function cspGuard(): Plugin {
  return {
    name: 'reach-csp-guard',
    apply: 'build',
    enforce: 'post',
    generateBundle(_options, bundle) {
      const asset = bundle['index.html'];
      if (asset === undefined || asset.type !== 'asset') return;
      const html = typeof asset.source === 'string' ? asset.source : new TextDecoder().decode(asset.source);
      const problems: string[] = [];
      for (const match of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
        if (!/\bsrc=/.test(match[1] ?? '') || (match[2] ?? '').trim() !== '') problems.push('inline <script>');
      }
      if (/<style\b/i.test(html)) problems.push('<style> element');
      if (/\sstyle\s*=/i.test(html)) problems.push('style attribute');
      if (/\son[a-z]+\s*=/i.test(html)) problems.push('inline event handler');
      if (problems.length > 0) this.error(`index.html breaks the CSP: ${problems.join(', ')}`);
    },
  };
}

export default defineConfig({
  base: '/console/',
  plugins: [cspGuard()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Inlined assets become data: URLs; the CSP only allows them for images.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  worker: {
    format: 'es',
  },
  // `npm run dev` against a running `reach server` (self-signed certificate):
  // REACH_DEV_SERVER=https://127.0.0.1:8443 npx vite
  server: {
    proxy: {
      '/api': {
        target: process.env['REACH_DEV_SERVER'] ?? 'https://127.0.0.1:8443',
        secure: false,
        ws: true,
        changeOrigin: true,
      },
    },
  },
});
