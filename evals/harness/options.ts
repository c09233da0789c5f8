import { z } from "zod";
import { HarnessError, HarnessErrorCode } from "./errors.js";
import { SUITE_IDS } from "./report.js";

/** The `eval` command's options as commander hands them over (strings), parsed once here. */
export const EvalOptionsSchema = z
  .object({
    suites: z.array(z.enum(SUITE_IDS, { error: `a suite is one of ${SUITE_IDS.join(", ")}` })).default([]),
    data: z.string().min(1).optional(),
    out: z.string().min(1).optional(),
    seeds: z.coerce.number().int().min(1).max(1_000).optional(),
    compare: z
      .array(z.string().min(1))
      .length(2, {
        error: "--compare takes exactly two report.json files: --compare a/report.json b/report.json",
      })
      .optional(),
    ci: z.boolean().default(false),
  })
  .refine((o) => !(o.compare && o.suites.length > 0), {
    error: "--compare reads two existing reports; it runs no suites",
  });
export type EvalOptions = z.infer<typeof EvalOptionsSchema>;

export function parseEvalOptions(raw: unknown): EvalOptions {
  const parsed = EvalOptionsSchema.safeParse(raw);
  if (!parsed.success) throw new HarnessError(HarnessErrorCode.Usage, z.prettifyError(parsed.error));
  return parsed.data;
}
