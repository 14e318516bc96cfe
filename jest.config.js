// ts-jest in ESM mode: the code base is "type": "module" with nodenext resolution,
// so relative imports end in ".js" and the mapper strips it back to the .ts source.
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: { ignoreCodes: [151002] } }] },
  testEnvironment: 'node',
};

export default {
  // Integration files start a migrated database and the app in beforeAll: seconds, more on a
  // busy machine than jest's default 5 s allows.
  testTimeout: 30_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/tests/unit/**/*.spec.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/tests/integration/**/*.spec.ts'] },
  ],
};
