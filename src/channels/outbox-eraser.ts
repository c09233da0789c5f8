import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { outbox } from "../db/runs.schema.js";

/**
 * The `memory.forget` eraser for the outbox: the messages written to the person's leads, sent or not, with
 * their delivery records (by cascade). A message still pending is never sent; one a dispatcher already
 * holds ("sending") may still go out, and its bookkeeping then updates nothing. Messages are found by lead
 * id only: bodies are encrypted, so they cannot be searched for an email, and every message the agents
 * queue is addressed to a stored lead.
 *
 * Typed structurally (not as memory's `PersonEraser`) so channels need not import the memory layer.
 */
export function outboxEraser() {
  return async (
    tx: Db,
    person: { tenantId: string; leadIds: readonly string[] },
  ): Promise<Record<string, number>> => {
    if (person.leadIds.length === 0) return { outbox: 0 };
    const gone = await tx
      .delete(outbox)
      .where(and(eq(outbox.tenantId, person.tenantId), inArray(outbox.leadId, [...person.leadIds])))
      .returning({ id: outbox.id });
    return { outbox: gone.length };
  };
}
