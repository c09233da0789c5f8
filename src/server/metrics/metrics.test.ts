import { describe, expect, it } from "vitest";
import { createServerMetrics } from "./metrics.js";

describe("createServerMetrics", () => {
  it("adds the model tokens runs report, and files an unexpected status under other", async () => {
    const metrics = createServerMetrics({ processMetrics: false, auditDropped: () => 3 });
    metrics.onRunFinished({ status: "success", durationMs: 1_500, llmTokens: 120 });
    metrics.onRunFinished({ status: "error", durationMs: 20, llmTokens: 30 });
    metrics.onRunFinished({ status: "exploded", durationMs: 1, llmTokens: 0 });
    const { body } = await metrics.render();
    expect(body).toMatch(/^marketing_agents_llm_tokens_total 150$/m);
    expect(body).toMatch(/^marketing_agents_runs_total\{status="success"\} 1$/m);
    expect(body).toMatch(/^marketing_agents_runs_total\{status="other"\} 1$/m);
    expect(body).toMatch(/^marketing_agents_run_duration_seconds_bucket\{le="1"\} 2$/m);
    expect(body).toMatch(/^marketing_agents_audit_entries_dropped 3$/m);
    expect(body).not.toMatch(/^process_/m);
  });
});
