// The end-to-end tests (tests/e2e): the compiled API serving the built web app, driven in
// Debian's Chromium by playwright-core. Apart from jest.config.js, so that `npm run test:api`
// stays the unit and integration suites; `npm run test:e2e` builds the web app first.
import base from './jest.config.js';

const common = { ...base.projects[0] };
delete common.displayName;
delete common.testMatch;

export default {
  ...common,
  displayName: 'e2e',
  testMatch: ['<rootDir>/tests/e2e/**/*.e2e.spec.ts'],
  // A browser, an API process and a seeded database: minutes on a busy machine, not seconds.
  testTimeout: 180_000,
};
