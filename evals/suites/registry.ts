import type { SuiteId } from "../harness/report.js";
import { adaptiveSuite } from "./adaptive.js";
import { engagementSuite } from "./engagement.js";
import { memorySuite } from "./memory.js";
import { optimizationSuite } from "./optimization.js";
import { routingSuite } from "./routing.js";
import type { Profile, Suite } from "./suite.js";
import { triageSuite } from "./triage.js";

/** Every suite, in report order. */
export const SUITES: Record<SuiteId, Suite> = {
  triage: triageSuite,
  routing: routingSuite,
  optimization: optimizationSuite,
  engagement: engagementSuite,
  adaptive: adaptiveSuite,
  memory: memorySuite,
};

/** What runs when no suite is named: everything in `full`; in `ci`, the fast gated subset. */
export const DEFAULT_SUITES: Record<Profile, readonly SuiteId[]> = {
  full: ["triage", "routing", "optimization", "engagement", "adaptive", "memory"],
  ci: ["triage", "routing", "optimization", "engagement"],
};

/** Seeds of the ads replay: the 20, or 5 for the CI gate. */
export const DEFAULT_SEEDS: Record<Profile, number> = { full: 20, ci: 5 };
