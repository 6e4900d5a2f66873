import base from '@stripe/ui-extension-tools/jest.config.ui-extension.mjs';

// Dates in assertions are written in UTC; the Dashboard itself formats in the viewer's zone.
process.env.TZ = 'UTC';

export default {
  ...base,
  roots: ['<rootDir>/src'],
  setupFilesAfterEnv: [...(base.setupFilesAfterEnv ?? []), '<rootDir>/src/testing/setup.ts'],
  transform: {
    ...base.transform,
    // The SDK ships ES-module .js files without "type": "module", so they must be transpiled too.
    '^.+\\.[tj]sx?$': [
      'ts-jest',
      {tsconfig: {allowJs: true, jsx: 'react-jsx', esModuleInterop: true}},
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!@stripe/ui-extension-sdk/)'],
};
