import { CloseCode, type SocketControl, type SocketPolicy } from "../transports/websocket.js";

/**
 * Closes a socket that has sent nothing for `idleMs` and has no call running: idle sockets hold memory and a
 * file descriptor each. A long-running call is not idleness; the timer re-arms while the socket is busy.
 */
export function idleTimeout(idleMs: number): SocketPolicy {
  let timer: NodeJS.Timeout | undefined;
  let socket: SocketControl | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (socket?.busy()) arm();
      else socket?.close(CloseCode.Normal, "idle timeout");
    }, idleMs);
    timer.unref();
  };
  return {
    open(control) {
      socket = control;
      arm();
    },
    admit() {
      arm();
      return { action: "run" };
    },
    closed() {
      clearTimeout(timer);
      socket = undefined;
    },
  };
}
