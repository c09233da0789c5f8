-- Custom SQL migration file, put your code below! --
-- drizzle cannot declare a column collation. Prefix search compares namespace paths as byte ranges
-- ('a.b.' <= path < 'a.b/'), which holds only under the "C" collation; linguistic collations ignore
-- punctuation. Changing the type rebuilds the index with the new collation. Then existing rows get their path.
ALTER TABLE "memory_item_vectors" ALTER COLUMN "namespace_path" TYPE text COLLATE "C";--> statement-breakpoint
UPDATE "memory_item_vectors" SET "namespace_path" = array_to_string("namespace", '.') || '.' WHERE "namespace_path" = '';
