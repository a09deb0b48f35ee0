// Server-sent events for the pages (same origin: EventSource sends the session cookie). Handlers are read
// through a ref so a re-render never reopens the stream; `restart` does.
import { useEffect, useRef } from 'react';

export type EventHandlers = Record<string, (data: unknown) => void>;

export function useEventStream(url: string | null, handlers: EventHandlers, restart: unknown = 0): void {
  const ref = useRef(handlers);
  ref.current = handlers;
  useEffect(() => {
    if (!url) return;
    const source = new EventSource(url, { withCredentials: true });
    const names = Object.keys(ref.current);
    const listeners = names.map((name) => {
      const listener = (event: MessageEvent<string>) => {
        let data: unknown;
        try {
          data = JSON.parse(event.data);
        } catch {
          return;
        }
        // `done` ends a ticket's stream: stop the browser from reconnecting to a finished story.
        if (name === 'done') source.close();
        ref.current[name]?.(data);
      };
      source.addEventListener(name, listener);
      return [name, listener] as const;
    });
    return () => {
      for (const [name, listener] of listeners) source.removeEventListener(name, listener);
      source.close();
    };
  }, [url, restart]);
}

/** Calls fn at most once per `ms`, with the latest arguments, trailing. */
export function useThrottled(fn: () => void, ms: number): () => void {
  const ref = useRef(fn);
  ref.current = fn;
  const timer = useRef<number | null>(null);
  useEffect(
    () => () => {
      if (timer.current !== null) clearTimeout(timer.current);
    },
    [],
  );
  return useRef(() => {
    if (timer.current !== null) return;
    timer.current = window.setTimeout(() => {
      timer.current = null;
      ref.current();
    }, ms);
  }).current;
}
