import { CloseCode, type SocketControl, type SocketPolicy } from "../transports/websocket.js";
import type { Credential } from "./claims.js";
import type { RevocationList } from "./revocation.js";
import { revocationKey } from "./revocation.js";

/** setTimeout's longest delay (about 24.8 days); longer waits re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface SocketSessions {
  /** The policy for one socket opened with this credential (`null`: authentication is off). */
  policy(credential: Credential | null): SocketPolicy;
  /** Open sockets carrying a token (for tests and metrics). */
  readonly open: number;
}

/**
 * A WebSocket is authenticated once, at the upgrade, but its token keeps mattering: the socket closes with
 * 1008 when the token expires (a timer) or is revoked (the denylist tells us), and every message is checked
 * again before it runs, as an HTTP request would be (ASVS 5.0 7.4.1; OWASP WebSocket Cheat Sheet).
 */
export function createSocketSessions(revocations: RevocationList | undefined): SocketSessions {
  const byToken = new Map<string, Set<SocketControl>>();
  revocations?.onRevoked((key) => {
    for (const socket of byToken.get(key) ?? []) socket.close(CloseCode.PolicyViolation, "token revoked");
  });

  return {
    policy(credential) {
      if (credential === null) return { open() {}, admit: () => ({ action: "run" }), closed() {} };
      const key = revocationKey(credential);
      let socket: SocketControl | undefined;
      let timer: NodeJS.Timeout | undefined;
      const armExpiry = () => {
        const wait = credential.expiresAt - Date.now();
        timer = setTimeout(
          () => {
            if (Date.now() >= credential.expiresAt) socket?.close(CloseCode.PolicyViolation, "token expired");
            else armExpiry();
          },
          Math.min(Math.max(wait, 0), MAX_TIMER_MS),
        );
        timer.unref();
      };
      return {
        open(control) {
          socket = control;
          const sockets = byToken.get(key) ?? new Set<SocketControl>();
          byToken.set(key, sockets);
          sockets.add(control);
          armExpiry();
        },
        admit() {
          if (Date.now() >= credential.expiresAt) {
            return { action: "close", code: CloseCode.PolicyViolation, reason: "token expired" };
          }
          if (revocations?.isRevoked(credential)) {
            return { action: "close", code: CloseCode.PolicyViolation, reason: "token revoked" };
          }
          return { action: "run" };
        },
        closed() {
          clearTimeout(timer);
          const sockets = byToken.get(key);
          if (socket) sockets?.delete(socket);
          if (sockets?.size === 0) byToken.delete(key);
          socket = undefined;
        },
      };
    },
    get open() {
      let n = 0;
      for (const sockets of byToken.values()) n += sockets.size;
      return n;
    },
  };
}
