CREATE TABLE "tenant_llm_usage" (
	"tenant_id" text NOT NULL,
	"day" date NOT NULL,
	"tokens" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "tenant_llm_usage_tenant_id_day_pk" PRIMARY KEY("tenant_id","day")
);
