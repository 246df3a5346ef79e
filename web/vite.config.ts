import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// `vite dev` proxies the APIs to a running gateway so the dev server behaves like production's
// single origin. The services check Origin, so add the dev origin to ALLOWED_ORIGINS when using it.
const gateway = process.env.MESHCALL_GATEWAY_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [sveltekit()],
  server: {
    proxy: {
      '/api': { target: gateway, ws: true },
      '/socket.io': { target: gateway, ws: true },
    },
  },
});
