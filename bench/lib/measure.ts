import os from "node:os";
import type { ServerProcess } from "./child.js";
import type { LoadResult } from "./stats.js";

export interface CpuAccounting {
  /** The server process's CPU time (user + system) per answered call, µs. */
  serverCpuUsPerCall: number;
  /** CPU the load generator (this process) used, % of one core. */
  generatorCpuPercent: number;
  /** CPU used by everything else on the machine, % of one core: other people's work competing with ours. */
  otherCpuPercent: number;
}

/**
 * Runs one measured load window and accounts for where the CPU went. Server CPU per call barely moves when
 * other processes compete for the machine, so it backs up a req/s ratio measured on a busy host; a
 * generator near 100% of a core means the req/s is the generator's limit; other CPU says whether the
 * window was disturbed at all (a load average cannot: it counts our own two busy processes).
 */
export async function measureWithCpu(
  server: ServerProcess,
  work: () => Promise<LoadResult>,
): Promise<{ result: LoadResult } & CpuAccounting> {
  const serverBefore = await server.cpuUsage();
  const machineBefore = machineBusyMs();
  const generatorBefore = process.cpuUsage();
  const result = await work();
  const generator = process.cpuUsage(generatorBefore);
  const machineUs = (machineBusyMs() - machineBefore) * 1_000;
  const serverAfter = await server.cpuUsage();
  const serverUs = serverAfter.user - serverBefore.user + (serverAfter.system - serverBefore.system);
  const generatorUs = generator.user + generator.system;
  const percentOfCore = (us: number) => us / 1e4 / result.elapsedS;
  return {
    result,
    serverCpuUsPerCall: result.requests > 0 ? serverUs / result.requests : Number.NaN,
    generatorCpuPercent: percentOfCore(generatorUs),
    otherCpuPercent: Math.max(0, percentOfCore(machineUs - serverUs - generatorUs)),
  };
}

/** Busy time of all CPUs so far, ms (os.cpus() counts in ms, at the kernel's tick resolution). */
function machineBusyMs(): number {
  let busy = 0;
  for (const { times } of os.cpus()) busy += times.user + times.nice + times.sys + times.irq;
  return busy;
}
