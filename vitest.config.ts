import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/vitest-s3-setup.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: {
      // The AWS credential chain must never reach for an instance-metadata endpoint here.
      AWS_EC2_METADATA_DISABLED: 'true',
      // The pinned AWS SDK works on Node 20; its notice about 2027 releases is noise here.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  },
});
