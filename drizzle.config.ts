import { defineConfig } from "drizzle-kit";

// Only `drizzle-kit generate` reads this; migrations are applied by src/db/migrate.ts on both drivers.
// Core tables live in src/db/schema.ts; each capability above the db layer keeps its own tables in a
// `*.schema.ts` file beside its code (memory, checkpointer, audit, …), so no layer imports upward.
export default defineConfig({
  dialect: "postgresql",
  schema: ["./src/db/schema.ts", "./src/**/*.schema.ts"],
  out: "./drizzle",
});
