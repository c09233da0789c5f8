/**
 * The workloads of the checkpointer bench, the same for both savers: checkpoints shaped like our graph's
 * (a lead, messages, a score, the next agent, handoffs), and a three-node graph.
 */
import { randomUUID } from "node:crypto";
import type { RunnableConfig } from "@langchain/core/runnables";
import { Annotation, END, START, StateGraph } from "@langchain/langgraph";
import {
  type BaseCheckpointSaver,
  type ChannelVersions,
  type Checkpoint,
  uuid6,
} from "@langchain/langgraph-checkpoint";

export const OPERATIONS = ["put", "putWrites", "getTuple", "invoke"] as const;
export type Operation = (typeof OPERATIONS)[number];

/** One operation: `call` is timed; `before`, when given, runs untimed ahead of each call. */
export interface TimedOperation {
  before?: () => Promise<void>;
  call: () => Promise<unknown>;
}

const lead = {
  name: "Ada Lovelace",
  email: "ada@example.com",
  company: "Analytical Engines Ltd",
  title: "Head of Marketing",
  source: "Reference",
  totalVisits: 12,
  timeOnSite: 1_840,
  notes: "Asked for a demo of the campaign optimizer; budget approved for Q3.".repeat(3),
};
const messages = Array.from({ length: 6 }, (_, i) => ({
  role: i % 2 === 0 ? "user" : "assistant",
  content: `Message ${i}: ${"Thanks for the details about pricing and onboarding. ".repeat(4)}`,
}));

/**
 * A thread of checkpoints as a graph writes them: every step changes 3 of 5 channels (the first writes all
 * five) and gets the writes of three tasks.
 */
function checkpointChain(saver: BaseCheckpointSaver) {
  const threadId = randomUUID();
  let config: RunnableConfig = { configurable: { thread_id: threadId, checkpoint_ns: "" } };
  let versions: ChannelVersions = {};
  let step = 0;
  return {
    threadId,
    config: () => config,
    async put(): Promise<void> {
      const values: Record<string, unknown> = {
        lead,
        messages,
        score: 0.5 + (step % 50) / 100,
        next: step % 2 === 0 ? "engagement" : "optimization",
        handoffs: [{ from: "triage", to: "engagement", reason: `step ${step}` }],
      };
      const changed = step === 0 ? Object.keys(values) : ["score", "next", "handoffs"];
      const newVersions: ChannelVersions = {};
      for (const channel of changed) newVersions[channel] = saver.getNextVersion(versions[channel] as number);
      versions = { ...versions, ...newVersions };
      const checkpoint: Checkpoint = {
        v: 4,
        id: uuid6(step),
        ts: new Date().toISOString(),
        channel_values: values,
        channel_versions: versions,
        versions_seen: { triage: { __start__: versions["lead"] ?? 1 } },
      };
      config = await saver.put(config, checkpoint, { source: "loop", step, parents: {} }, newVersions);
      step++;
    },
    /** One task's writes against the newest checkpoint. */
    putWrites: (task: string) =>
      saver.putWrites(
        config,
        [
          ["score", 0.73],
          ["next", "engagement"],
        ],
        task,
      ),
  };
}

/**
 * `put` extends one thread; `putWrites` writes three tasks' writes per checkpoint (a new checkpoint, put
 * untimed, every third call); `getTuple` loads the head of a thread with history and three tasks' writes.
 */
export async function checkpointOperations(
  saver: BaseCheckpointSaver,
): Promise<Record<Exclude<Operation, "invoke">, TimedOperation>> {
  const puts = checkpointChain(saver);
  const writes = checkpointChain(saver);
  const read = checkpointChain(saver);
  for (let i = 0; i < 20; i++) await read.put();
  for (const task of ["triage", "engagement", "optimization"]) await read.putWrites(randomUUID() + task);
  let written = 0;
  return {
    put: { call: () => puts.put() },
    putWrites: {
      before: async () => {
        if (written++ % 3 === 0) await writes.put();
      },
      call: () => writes.putWrites(randomUUID()),
    },
    getTuple: {
      call: () => saver.getTuple({ configurable: { thread_id: read.threadId, checkpoint_ns: "" } }),
    },
  };
}

const GraphState = Annotation.Root({
  lead: Annotation<typeof lead>,
  score: Annotation<number>,
  draft: Annotation<string>,
  variant: Annotation<string>,
  log: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
});

/** triage → engagement → optimization, each a small pure step, checkpointed by `saver`. */
function threeNodeGraph(saver: BaseCheckpointSaver) {
  return new StateGraph(GraphState)
    .addNode("triage", (s) => ({ score: s.lead.totalVisits / 20, log: ["triage"] }))
    .addNode("engagement", (s) => ({
      draft: `Hi ${s.lead.name}, ${"here is how teams like yours plan campaigns. ".repeat(6)}`,
      log: ["engagement"],
    }))
    .addNode("optimization", (s) => ({ variant: s.score > 0.5 ? "B" : "A", log: ["optimization"] }))
    .addEdge(START, "triage")
    .addEdge("triage", "engagement")
    .addEdge("engagement", "optimization")
    .addEdge("optimization", END)
    .compile({ checkpointer: saver });
}

export function invokeOperation(saver: BaseCheckpointSaver): TimedOperation {
  const graph = threeNodeGraph(saver);
  // Twenty threads in turn: each invoke continues a thread with history, as a lead's journey does.
  const threads = Array.from({ length: 20 }, () => randomUUID());
  let i = 0;
  return {
    call: () => graph.invoke({ lead }, { configurable: { thread_id: threads[i++ % threads.length] } }),
  };
}
