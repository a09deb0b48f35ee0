// Streamable HTTP sessions: one transport and one server per `mcp-session-id`, bound to the API key that
// opened it (another key gets "session not found"), closed when idle, when the client deletes it, or at shutdown.
// Clients such as the Inspector open a session per call and never delete it, so sessions are bounded per key
// and overall; at a bound the oldest idle session (of the same key first) is closed to make room instead of
// refusing everyone. A session with a request in flight is never evicted.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Caller } from '../core/access.ts';
import type { Logger } from '../core/logger.ts';
import { authInfoFor } from './mcp-server.ts';

interface Session {
  transport: StreamableHTTPServerTransport;
  server: Server;
  owner: string;
  lastSeen: number;
  /** POST requests being answered; the long-lived GET event stream does not count as work. */
  inFlight: number;
}

export interface McpSessionLimits {
  /** Idle time after which a session is closed. */
  idleMs?: number;
  /** Sessions open at once, all keys together. */
  maxSessions?: number;
  /** Sessions open at once per API key. */
  perKey?: number;
}

export interface McpHttpOptions extends McpSessionLimits {
  createServer: () => Server;
  logger: Logger;
}

function rpcError(res: ServerResponse, status: number, code: number, message: string): void {
  res
    .writeHead(status, { 'content-type': 'application/json' })
    .end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

export class McpHttpSessions {
  private readonly sessions = new Map<string, Session>();
  private readonly idleMs: number;
  private readonly maxSessions: number;
  private readonly perKey: number;
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly options: McpHttpOptions) {
    this.idleMs = options.idleMs ?? 15 * 60_000;
    this.maxSessions = options.maxSessions ?? 1000;
    this.perKey = options.perKey ?? 20;
    this.sweeper = setInterval(() => this.sweep(), Math.max(10, Math.min(Math.floor(this.idleMs / 4), 60_000))).unref();
  }

  private closing = false;

  get closed(): boolean {
    return this.closing;
  }

  get size(): number {
    return this.sessions.size;
  }

  has(sessionId: string): boolean {
    return this.sessions.has(sessionId);
  }

  /** Handles POST, GET and DELETE on the MCP endpoint for a caller already authenticated. */
  async handle(req: IncomingMessage, res: ServerResponse, body: unknown, caller: Caller): Promise<void> {
    (req as IncomingMessage & { auth?: unknown }).auth = authInfoFor(caller);
    const id = req.headers['mcp-session-id'];
    if (this.closing) return rpcError(res, 503, -32000, 'shutting down');
    if (typeof id === 'string') {
      const session = this.sessions.get(id);
      if (!session || session.owner !== caller.name) return rpcError(res, 404, -32001, 'Session not found');
      this.track(session, req, res);
      return session.transport.handleRequest(req, res, body);
    }
    if (req.method !== 'POST' || !isInitializeRequest(body)) {
      return rpcError(res, 400, -32000, 'Bad Request: no mcp-session-id header; start with an initialize request');
    }
    if (!(await this.makeRoom(caller.name)))
      return rpcError(res, 503, -32000, 'Too many MCP sessions busy; try again later');
    return (await this.open(caller)).handleRequest(req, res, body);
  }

  async closeAll(): Promise<void> {
    this.closing = true;
    clearInterval(this.sweeper);
    await Promise.all([...this.sessions.keys()].map((id) => this.close(id)));
  }

  private track(session: Session, req: IncomingMessage, res: ServerResponse): void {
    session.lastSeen = Date.now();
    if (req.method !== 'POST') return;
    session.inFlight += 1;
    res.once('close', () => {
      session.inFlight -= 1;
      session.lastSeen = Date.now();
    });
  }

  /** Closes the oldest idle session of `owner` past its limit, or the oldest idle one overall past the cap. */
  private async makeRoom(owner: string): Promise<boolean> {
    const idle = [...this.sessions].filter(([, s]) => s.inFlight === 0).sort(([, a], [, b]) => a.lastSeen - b.lastSeen);
    const own = idle.filter(([, s]) => s.owner === owner);
    const ownCount = [...this.sessions.values()].filter((s) => s.owner === owner).length;
    if (ownCount >= this.perKey) {
      const victim = own[0];
      if (!victim) return false;
      await this.evict(victim[0], 'per-key limit');
    }
    if (this.sessions.size >= this.maxSessions) {
      const victim = own[0] && this.sessions.has(own[0][0]) ? own[0] : idle.find(([id]) => this.sessions.has(id));
      if (!victim) return false;
      await this.evict(victim[0], 'session cap');
    }
    return true;
  }

  private async evict(id: string, reason: string): Promise<void> {
    this.options.logger.info({ sessionId: id, reason }, 'MCP session evicted');
    await this.close(id);
  }

  private async open(caller: Caller): Promise<StreamableHTTPServerTransport> {
    const server = this.options.createServer();
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (sessionId) => {
        this.sessions.set(sessionId, { transport, server, owner: caller.name, lastSeen: Date.now(), inFlight: 0 });
      },
      onsessionclosed: (sessionId) => {
        this.sessions.delete(sessionId);
      },
    });
    transport.onerror = (err) => this.options.logger.warn({ err }, 'MCP transport error');
    transport.onclose = () => {
      if (transport.sessionId) this.sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    return transport;
  }

  private async close(id: string): Promise<void> {
    const session = this.sessions.get(id);
    if (!session) return;
    this.sessions.delete(id);
    await session.server
      .close()
      .catch((err: unknown) => this.options.logger.warn({ err, sessionId: id }, 'closing an MCP session failed'));
  }

  private sweep(): void {
    const cutoff = Date.now() - this.idleMs;
    for (const [id, session] of this.sessions)
      if (session.inFlight === 0 && session.lastSeen < cutoff) void this.close(id);
  }
}
