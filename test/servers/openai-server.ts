import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for an OpenAI-compatible server: real HTTP on 127.0.0.1, speaking just enough of
 * `POST /v1/chat/completions` for the real `openai` client. Each test scripts what it answers and reads
 * back what it received.
 */

export type ScriptedReply =
  /** A normal completion whose content is `JSON.stringify(answer)`. */
  | { readonly answer: unknown; readonly delayMs?: number }
  /** A completion whose content is this exact string (for malformed JSON). */
  | { readonly content: string; readonly delayMs?: number }
  /** A completion where the model declines. */
  | { readonly refusal: string; readonly delayMs?: number }
  /** An error status with an OpenAI-style error body. */
  | { readonly status: number; readonly delayMs?: number }
  /** Any status and body, sent as is. */
  | { readonly rawBody: string; readonly rawStatus?: number; readonly delayMs?: number };

export interface RecordedMessage {
  readonly role: string;
  readonly content: unknown;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: {
    readonly model?: unknown;
    readonly messages?: readonly RecordedMessage[];
    readonly response_format?: unknown;
    readonly [key: string]: unknown;
  };
}

export type Script = ScriptedReply | ((req: RecordedRequest) => ScriptedReply);

export interface OpenAiStandIn {
  /** Pass as `OPENAI_BASE_URL` / the client's `baseURL`. */
  readonly baseURL: string;
  readonly requests: RecordedRequest[];
  /** What every following request gets until changed. */
  script(reply: Script): void;
  close(): Promise<void>;
}

function completion(message: Record<string, unknown>, model: unknown): string {
  return JSON.stringify({
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: typeof model === 'string' ? model : 'test-model',
    choices: [
      { index: 0, message: { role: 'assistant', ...message }, finish_reason: 'stop', logprobs: null },
    ],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  });
}

function send(res: ServerResponse, status: number, body: string): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body);
}

/** The status and body a scripted reply turns into. */
function render(reply: ScriptedReply, model: unknown): { status: number; body: string } {
  if ('answer' in reply) {
    return { status: 200, body: completion({ content: JSON.stringify(reply.answer), refusal: null }, model) };
  }
  if ('content' in reply)
    return { status: 200, body: completion({ content: reply.content, refusal: null }, model) };
  if ('refusal' in reply)
    return { status: 200, body: completion({ content: null, refusal: reply.refusal }, model) };
  if ('status' in reply) {
    const error = { message: `scripted ${reply.status}`, type: 'server_error', param: null, code: null };
    return { status: reply.status, body: JSON.stringify({ error }) };
  }
  return { status: reply.rawStatus ?? 200, body: reply.rawBody };
}

function respond(res: ServerResponse, reply: ScriptedReply, model: unknown): void {
  const { status, body } = render(reply, model);
  send(res, status, body);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startOpenAiServer(initial: Script = { status: 500 }): Promise<OpenAiStandIn> {
  let current: Script = initial;
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      let body: RecordedRequest['body'] = {};
      try {
        body = JSON.parse(raw) as RecordedRequest['body'];
      } catch {
        return send(
          res,
          400,
          JSON.stringify({ error: { message: 'body is not JSON', type: 'invalid_request' } }),
        );
      }
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path,
        authorization: req.headers.authorization,
        body,
      };
      requests.push(recorded);
      if (req.method !== 'POST' || path !== '/v1/chat/completions') {
        send(res, 404, JSON.stringify({ error: { message: `no route ${path}`, type: 'not_found' } }));
        return;
      }
      const reply = typeof current === 'function' ? current(recorded) : current;
      const delay = reply.delayMs ?? 0;
      if (delay <= 0) {
        respond(res, reply, body.model);
        return;
      }
      const timer = setTimeout(() => {
        timers.delete(timer);
        respond(res, reply, body.model);
      }, delay);
      timers.add(timer);
    })();
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    script(reply) {
      current = reply;
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The user-role messages a recorded request carried. */
export function userMessages(req: RecordedRequest): unknown[] {
  return (req.body.messages ?? []).filter((m) => m.role === 'user').map((m) => m.content);
}
