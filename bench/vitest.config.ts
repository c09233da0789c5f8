import { defineConfig } from "vitest/config";

// The root vitest.config.ts does not include bench/ yet; until it does: npx vitest run -c bench/vitest.config.ts
export default defineConfig({
  test: { include: ["bench/**/*.test.ts"] },
});
