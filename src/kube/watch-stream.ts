// A watch is a GET with watch=1 whose answer is newline-delimited JSON, one event per line,
// arriving in chunks that may split a line (or a UTF-8 character) anywhere.
import type { IncomingMessage } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import { KubeApiError, type KubeStatus } from './errors.js';
import { parseStatus, type KubeRawClient, type Query } from './raw-client.js';

export interface WatchEvent {
  readonly type: string;
  readonly object: unknown;
}

/** Splits a byte stream into watch events; holds a partial line until its newline arrives. */
export class WatchLineParser {
  readonly #decoder = new StringDecoder('utf8');
  #pending = '';

  /** The events completed by this chunk. Throws on a line that is not a watch event. */
  push(chunk: Buffer | string): WatchEvent[] {
    const text = this.#pending + (typeof chunk === 'string' ? chunk : this.#decoder.write(chunk));
    const lines = text.split('\n');
    this.#pending = lines.pop() ?? '';
    return lines.filter((l) => l.trim() !== '').map(parseEvent);
  }

  /** The stream ended: a last line without its newline still counts. */
  end(): WatchEvent[] {
    const rest = (this.#pending + this.#decoder.end()).trim();
    this.#pending = '';
    return rest === '' ? [] : [parseEvent(rest)];
  }
}

function parseEvent(line: string): WatchEvent {
  const parsed: unknown = JSON.parse(line);
  if (typeof parsed !== 'object' || parsed === null || !('type' in parsed)) {
    throw new SyntaxError(`not a watch event: ${line.slice(0, 100)}`);
  }
  const { type, object } = parsed as { type: unknown; object?: unknown };
  return { type: String(type), object };
}

/** Why a watch stream ended: the server closed it, sent an ERROR, or it broke. */
export type StreamEnd =
  | { readonly kind: 'closed' }
  | { readonly kind: 'status'; readonly status: KubeStatus }
  | { readonly kind: 'error'; readonly error: unknown };

export interface WatchStreamOptions {
  /** Without a byte for this long the stream counts as dead and ends as `closed`. */
  readonly inactivityTimeoutMs: number;
}

/**
 * Runs one watch request. Events go to `onEvent` in order; an ERROR event's Status (or a non-200
 * answer's) ends the stream as `status`. `signal` aborts it (ends as `closed`).
 */
export async function runWatchStream(
  raw: KubeRawClient,
  path: string,
  query: Query,
  onEvent: (event: WatchEvent) => void,
  signal: AbortSignal,
  opts: WatchStreamOptions,
): Promise<StreamEnd> {
  const idle = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const touch = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      idle.abort();
    }, opts.inactivityTimeoutMs);
  };
  const both = AbortSignal.any([signal, idle.signal]);
  touch();
  try {
    const res = await raw.stream(path, { ...query, watch: true }, both);
    if (res.statusCode !== 200) {
      return { kind: 'status', status: statusOf(res.statusCode ?? 0, await readAll(res)) };
    }
    return await consume(res, onEvent, touch);
  } catch (error) {
    if (both.aborted) return { kind: 'closed' };
    return { kind: 'error', error };
  } finally {
    clearTimeout(timer);
  }
}

async function consume(
  res: IncomingMessage,
  onEvent: (event: WatchEvent) => void,
  touch: () => void,
): Promise<StreamEnd> {
  const parser = new WatchLineParser();
  const deliver = (events: readonly WatchEvent[]): StreamEnd | undefined => {
    for (const ev of events) {
      if (ev.type === 'ERROR') return { kind: 'status', status: ev.object as KubeStatus };
      onEvent(ev);
    }
    return undefined;
  };
  for await (const chunk of res) {
    touch();
    const end = deliver(parser.push(chunk as Buffer));
    if (end !== undefined) {
      res.destroy();
      return end;
    }
  }
  return deliver(parser.end()) ?? { kind: 'closed' };
}

async function readAll(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function statusOf(code: number, text: string): KubeStatus {
  return { ...parseStatus(text), code };
}

export function watchError(path: string, status: KubeStatus): KubeApiError {
  return new KubeApiError('WATCH', path, status.code ?? 500, status);
}
