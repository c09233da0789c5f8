import type { SocketPolicy } from "../transports/websocket.js";

/** Runs policies in order: the first that rejects or closes decides; all hear open and close. */
export function combinePolicies(policies: readonly SocketPolicy[]): SocketPolicy {
  return {
    open(control) {
      for (const policy of policies) policy.open(control);
    },
    admit() {
      for (const policy of policies) {
        const admission = policy.admit();
        if (admission.action !== "run") return admission;
      }
      return { action: "run" };
    },
    closed() {
      for (const policy of policies) policy.closed();
    },
  };
}
