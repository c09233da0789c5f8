import { defineConfig } from "drizzle-kit";

// Only `drizzle-kit generate` reads this; migrations are applied by src/db/migrate.ts on both drivers.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/schema.ts",
  out: "./drizzle",
});
