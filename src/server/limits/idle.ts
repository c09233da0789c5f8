import { CloseCode, type SocketControl, type SocketPolicy } from "../transports/websocket.js";

/**
 * Closes a socket that has sent nothing for `idleMs` and has no call running: idle sockets hold memory and a
 * file descriptor each. A long-running call is not idleness; the timer re-arms while the socket is busy.
 * A message only notes the time: re-arming a timer per message cost more than the rest of the policy.
 */
export function idleTimeout(idleMs: number, now: () => number = Date.now): SocketPolicy {
  let timer: NodeJS.Timeout | undefined;
  let socket: SocketControl | undefined;
  let lastActivity = 0;
  const arm = (delay: number) => {
    timer = setTimeout(check, delay);
    timer.unref();
  };
  const check = () => {
    const quietFor = now() - lastActivity;
    if (quietFor < idleMs) arm(idleMs - quietFor);
    else if (socket?.busy()) arm(idleMs);
    else socket?.close(CloseCode.Normal, "idle timeout");
  };
  return {
    open(control) {
      socket = control;
      lastActivity = now();
      arm(idleMs);
    },
    admit() {
      lastActivity = now();
      return { action: "run" };
    },
    closed() {
      clearTimeout(timer);
      socket = undefined;
    },
  };
}
