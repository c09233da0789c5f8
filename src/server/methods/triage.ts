/**
 * The learning loop's hold on triage, readable and refittable over JSON-RPC: the tenant's outcome
 * recalibration (`src/agents/triage/recalibration.ts`) summarised as a curve from the model's probability
 * to the score triage gives now, with how many recorded outcomes stand behind each point.
 */
import { z } from "zod";
import { type Recalibration, recalibrate } from "../../agents/triage/recalibration.js";
import type { RefitReport } from "../../agents/triage/recalibration-store.js";
import { RpcCode, RpcError } from "../rpc/errors.js";
import { defineMethod } from "../rpc/method.js";
import type { Services } from "./services.js";

/** Model probabilities the curve is shown at. */
const CURVE_AT = [0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 0.95];

const Summary = z.object({
  scoringModel: z.string(),
  recalibration: z
    .object({
      labelled: z.number(),
      converted: z.number(),
      fittedAt: z.string(),
      curve: z.array(z.object({ modelScore: z.number(), score: z.number(), nearby: z.number() })),
    })
    .nullable()
    .describe("Null while fewer than the minimum of leads have a known result, or recalibration is off."),
});

function summarize(scoringModel: string, recalibration: Recalibration | null): z.infer<typeof Summary> {
  if (!recalibration) return { scoringModel, recalibration: null };
  const round = (v: number) => Math.round(v * 10_000) / 10_000;
  return {
    scoringModel,
    recalibration: {
      labelled: recalibration.labelled,
      converted: recalibration.converted,
      fittedAt: recalibration.fittedAt,
      curve: CURVE_AT.map((p) => {
        const { probability, nearby } = recalibrate(recalibration, p);
        return { modelScore: p, score: round(probability), nearby: round(nearby) };
      }),
    },
  };
}

export function triageMethods(services: Services) {
  const triage = services.triage;
  const recalibrator = () => {
    if (!triage?.recalibration) {
      throw new RpcError(
        RpcCode.Unavailable,
        "triage recalibration is off on this server (TRIAGE_RECALIBRATION)",
      );
    }
    return triage.recalibration;
  };
  return [
    defineMethod({
      name: "triage.recalibration",
      description:
        "The caller's tenant's outcome recalibration of the triage score: from how many leads with a known result it was fitted, when, and the curve from the scoring model's probability to the score triage gives now (with the kernel-weighted number of outcomes near each point). Null until enough outcomes are recorded.",
      permission: "leads:read",
      params: z.object({}).strict(),
      result: Summary,
      handler: async (_params, ctx) =>
        summarize(
          triage?.scoringModel ?? "unknown",
          (await triage?.recalibration?.current(ctx.principal.tenantId)) ?? null,
        ),
    }),
    defineMethod({
      name: "triage.recalibrate",
      description:
        "Refits the caller's tenant's triage recalibration from its recorded outcomes now (recording outcomes schedules this by itself, debounced). force: refit even when no outcome was recorded since the last fit.",
      permission: "outcomes:write",
      params: z.object({ force: z.boolean().optional() }).strict(),
      result: z.object({
        status: z.enum(["fitted", "current", "too-few"]),
        detail: z.string(),
        summary: Summary,
      }),
      handler: async ({ force }, ctx) => {
        const tenantId = ctx.principal.tenantId;
        const report: RefitReport = await recalibrator().refit(tenantId, force ? { force: true } : {});
        const detail =
          report.status === "fitted"
            ? `fitted on ${report.recalibration.labelled} lead(s) with a known result`
            : report.status === "current"
              ? report.reason
              : `${report.labelled} lead(s) with a known result, ${report.minLabelled} needed`;
        const current = await recalibrator().current(tenantId);
        return { status: report.status, detail, summary: summarize(triage!.scoringModel, current) };
      },
    }),
  ];
}
