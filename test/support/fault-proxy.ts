import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What happens to a matching request:
 * - `lose-response`: it reaches the server, which applies it; then the connection is reset
 *   before the answer reaches the client (the client cannot know it was applied);
 * - `reset`: the connection is reset before the request reaches the server.
 */
export type ProxyFaultKind = 'lose-response' | 'reset';

export interface ProxyFault {
  kind: ProxyFaultKind;
  /** HTTP method to match (default: any). */
  method?: string;
  /** Matched against the request's path (`/bucket/key?query`). */
  path: RegExp;
  /** Matching requests hit (default 1). */
  times?: number;
}

/**
 * A small HTTP proxy on loopback between an S3 client and the test server, for faults that
 * only the network can make: a response lost after the server applied the request, a reset
 * connection. Requests pass unchanged (the Host header too, so SigV4 signatures still hold).
 */
export class FaultProxy {
  /** Faults injected so far, by kind. */
  readonly injected: Record<ProxyFaultKind, number> = { 'lose-response': 0, reset: 0 };
  private faults: Array<ProxyFault & { hits: number }> = [];

  private constructor(
    private readonly server: Server,
    private readonly target: URL,
  ) {
    server.on('request', (req, res) => {
      const fault = this.pick(req);
      if (fault === 'reset') {
        req.socket.destroy();
        return;
      }
      const upstream = request(
        {
          host: this.target.hostname,
          port: this.target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          if (fault === 'lose-response') {
            answer.resume();
            answer.on('end', () => req.socket.destroy());
            return;
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => req.socket.destroy());
      req.pipe(upstream);
    });
  }

  /** A proxy on a free loopback port, forwarding to `target` (`http://host:port`). */
  static async start(target: string): Promise<FaultProxy> {
    const server = createServer({ keepAlive: true });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new FaultProxy(server, new URL(target));
  }

  /** The endpoint clients use instead of the target's. */
  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  inject(fault: ProxyFault): void {
    this.faults.push({ times: 1, ...fault, hits: 0 });
  }

  /** Remove every fault: requests pass untouched from now on. */
  clear(): void {
    this.faults = [];
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private pick(req: IncomingMessage): ProxyFaultKind | undefined {
    for (const fault of this.faults) {
      if (fault.hits >= (fault.times ?? 1)) continue;
      if (fault.method !== undefined && fault.method !== req.method) continue;
      if (!fault.path.test(req.url ?? '')) continue;
      fault.hits += 1;
      this.injected[fault.kind] += 1;
      return fault.kind;
    }
    return undefined;
  }
}
