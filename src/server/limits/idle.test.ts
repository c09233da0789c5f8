import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { idleTimeout } from "./idle.js";

describe("idle timeout", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const control = (busy = () => false) => {
    const closes: [number, string][] = [];
    return { closes, socket: { close: (code: number, reason: string) => closes.push([code, reason]), busy } };
  };

  it("closes idleMs after the last message, not after the first", () => {
    const { closes, socket } = control();
    const policy = idleTimeout(400);
    policy.open(socket);
    vi.advanceTimersByTime(300);
    expect(policy.admit()).toEqual({ action: "run" });
    vi.advanceTimersByTime(399);
    expect(closes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(closes).toEqual([[1000, "idle timeout"]]);
  });

  it("keeps a socket whose call is still running, and closes it once it is quiet", () => {
    let busy = true;
    const { closes, socket } = control(() => busy);
    const policy = idleTimeout(400);
    policy.open(socket);
    vi.advanceTimersByTime(1_000);
    expect(closes).toEqual([]);
    busy = false;
    vi.advanceTimersByTime(400);
    expect(closes).toEqual([[1000, "idle timeout"]]);
  });

  it("stops at close", () => {
    const { closes, socket } = control();
    const policy = idleTimeout(400);
    policy.open(socket);
    policy.closed();
    vi.advanceTimersByTime(1_000);
    expect(closes).toEqual([]);
  });
});
