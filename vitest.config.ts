import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts", "evals/**/*.test.ts"],
    // The checkpoint validation suite calls beforeAll/afterAll without importing them.
    globals: true,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: PGlite is CPU-bound, more workers only thrash.
    maxWorkers: 2,
  },
});
