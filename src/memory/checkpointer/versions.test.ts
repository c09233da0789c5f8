import { describe, expect, it } from "vitest";
import { nextChannelVersion } from "./versions.js";

describe("nextChannelVersion", () => {
  it("starts above 1 for a new channel and stays below 2", () => {
    for (const r of [0, 0.5, 0.999_999_999_9]) {
      const v = nextChannelVersion(undefined, () => r);
      expect(v).toBeGreaterThan(1);
      expect(v).toBeLessThan(2);
    }
  });

  it("is greater than the current version, whatever the current fraction", () => {
    expect(nextChannelVersion(3.999_999_999, () => 0)).toBeGreaterThan(3.999_999_999);
    expect(Math.floor(nextChannelVersion(3.999_999_999, () => 0))).toBe(4);
    expect(nextChannelVersion(7, () => 0.25)).toBe(8.25);
  });

  it("gives two forks of one step different versions", () => {
    const values = [0.1, 0.2];
    let i = 0;
    const random = () => values[i++] ?? 0;
    const a = nextChannelVersion(5.3, random);
    const b = nextChannelVersion(5.3, random);
    expect(Math.floor(a)).toBe(6);
    expect(Math.floor(b)).toBe(6);
    expect(a).not.toBe(b);
  });

  it("round-trips through text, as versions are stored", () => {
    const v = nextChannelVersion(41, () => 0.123_456_789);
    expect(Number(String(v))).toBe(v);
    expect(String(v)).toBe("42.123456789");
  });

  it("continues string versions of other savers by their integer part", () => {
    expect(Math.floor(nextChannelVersion("00000000000000000000000000000002.0.4375", () => 0))).toBe(3);
    expect(Math.floor(nextChannelVersion("garbage", () => 0))).toBe(1);
  });
});
