import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// The API: `npm run demo` in the repository root serves it on port 3000. In development
// Vite serves the app on 5173 and hands every /api request to it, so the app calls its own
// origin in development exactly as in production (where NestJS serves the built files).
const API = process.env.FUPIN_API ?? 'http://localhost:3000';

export default defineConfig({
  plugins: [react()],
  // fs.allow '..': the forms share the API's pure resident-ID check (src/org/resident-id.ts).
  server: { port: 5173, fs: { allow: ['..'] }, proxy: { '/api': { target: API, changeOrigin: false } } },
  build: {
    outDir: 'dist',
    // Pages are loaded when first opened (React.lazy in App.tsx), each with the Ant Design
    // components it uses; React and the router, needed by every page, are a chunk of their own.
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [{ name: 'react', test: /node_modules[\\/](react|react-dom|react-router|scheduler)[\\/]/ }],
        },
      },
    },
  },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['./src/test-setup.ts'],
    css: false,
    testTimeout: 20_000,
  },
});
