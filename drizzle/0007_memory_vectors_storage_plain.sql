-- Custom SQL migration file, put your code below! --
-- 512-dim vectors (2 KB) exceed the TOAST threshold: stored inline (PLAIN) they need no detoasting per
-- comparison, which makes exact scans ~3x faster and lets HNSW builds use parallel workers (measured here).
ALTER TABLE "memory_item_vectors" ALTER COLUMN "embedding" SET STORAGE PLAIN;--> statement-breakpoint
ALTER TABLE "memory_episodes" ALTER COLUMN "embedding" SET STORAGE PLAIN;--> statement-breakpoint
ALTER TABLE "memory_facts" ALTER COLUMN "embedding" SET STORAGE PLAIN;
