import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    // A single-page app: the gateway serves build/ and answers every unknown path with index.html.
    adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: true }),
    csp: {
      mode: 'hash',
      directives: {
        'default-src': ['self'],
        'script-src': ['self'],
        // Svelte sets inline style attributes (grid sizes, meter widths).
        'style-src': ['self', 'unsafe-inline'],
        'img-src': ['self', 'data:', 'blob:'],
        'media-src': ['self', 'blob:', 'mediastream:'],
        // 'self' covers ws:/wss: to the same origin (CSP level 3): the lobby feed and Socket.IO.
        'connect-src': ['self'],
        'object-src': ['none'],
        'base-uri': ['self'],
        'form-action': ['self'],
        'frame-ancestors': ['none'],
      },
    },
    typescript: {
      config(tsconfig) {
        // Typecheck the test configs and the e2e suite with the app, under the same strict settings.
        tsconfig.include.push('../vitest.config.ts', '../vitest.e2e.config.ts', '../e2e/**/*.ts');
      },
    },
  },
};

export default config;
