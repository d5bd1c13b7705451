import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const page = (name: string) => fileURLToPath(new URL(`./${name}.html`, import.meta.url));

// Two pages, bundled with everything they use (GraphiQL's Monaco editor and its workers
// included), so that the gateway serves them with no request leaving the machine.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 6_000,
    rollupOptions: {
      input: { graphiql: page('graphiql'), explorer: page('explorer') },
      // React libraries mark modules "use client", which means nothing outside a server-components build.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  worker: { format: 'es' },
});
